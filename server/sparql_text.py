"""What the endpoint reads from a SPARQL text before running it: its form (SELECT, ASK,
CONSTRUCT, DESCRIBE), and whether it uses SERVICE, LOAD or FROM.

pyoxigraph parses queries but does not expose their algebra, and it does fetch `SERVICE`
IRIs, so the endpoint has to find those keywords itself. It lexes the text the way the
SPARQL 1.1 grammar does: comments, string literals (all four quote forms), IRI references,
variables, blank nodes, language tags and prefixed names are skipped as whole tokens, and
every remaining bare word is a keyword. `SERVICE` hidden in a string, an IRI, a comment or a
name such as `ex:SERVICE` is thus not a keyword, while `service` in any letter case is.
An IRIREF cannot contain spaces, `<` or `{`, so a `<` read as an IRI where the grammar meant
less-than can never swallow a `SERVICE … {` group. The check errs one way only: a text that
is not SPARQL at all may be refused for a keyword, never run with one unseen.

Complexity: one pass over the text, O(length).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<long_string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$]\w*)
    | (?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<name>(?:[\w\-.:%]|\\.)+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class SparqlText:
    """The keywords of a SPARQL text that the endpoint acts on."""

    form: str | None
    uses_service: bool
    uses_load: bool
    uses_from: bool


@lru_cache(maxsize=1024)
def read_sparql_text(text: str) -> SparqlText:
    """The form of a query (the first query-form keyword; None for an update or non-SPARQL)
    and whether the text uses SERVICE, LOAD or FROM as keywords.

    Examples
    --------
    >>> read_sparql_text('SELECT * WHERE { ?s ?p "SERVICE" }').uses_service
    False
    >>> read_sparql_text("select * { service <http://127.0.0.1/> { ?s ?p ?o } }").uses_service
    True
    """
    keywords = set()
    form = None
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "name":
            continue
        # A word with a colon is a prefixed name or a blank node label, never a keyword.
        if ":" in match.group():
            continue
        # Letters run together with digits or dots ("1.SERVICE") may still be read as a
        # keyword by the engine, so every run of letters counts.
        for word in _LETTERS.findall(match.group()):
            word = word.upper()
            keywords.add(word)
            if form is None and word in QUERY_FORMS:
                form = word
    return SparqlText(
        form=form,
        uses_service="SERVICE" in keywords,
        uses_load="LOAD" in keywords,
        uses_from="FROM" in keywords,
    )
