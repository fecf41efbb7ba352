"""The SPARQL 1.1 Protocol spoken to a remote endpoint: where it is, how to ask, what went wrong.

A remote store is named by its query endpoint with `sparql+` in front of the scheme; the
fragment (never sent to the server) carries what only citydiplo needs to know:

    sparql+http://127.0.0.1:3030/ds/query#update=update&timeout=300

`update` is the SPARQL Update endpoint, absolute or relative to the query endpoint (Fuseki's
`/ds/update` beside `/ds/query`, the Oxigraph server's `/update` beside `/query`: both are
`update`); without one the store is read-only. `$CITYDIPLO_UPDATE_ENDPOINT` gives it too.
Basic-auth credentials come from `$CITYDIPLO_STORE_USER` and `$CITYDIPLO_STORE_PASSWORD`
only: a password in the URL would end up in messages and shell history.

SPARQL has no query parameters, so values are bound by a trailing `VALUES` block whose terms
pyoxigraph serialises (N-Triples syntax, escaped): a value can never change the query.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pyoxigraph as ox

from ..errors import QueryError, StoreError

REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")
UPDATE_ENV = "CITYDIPLO_UPDATE_ENDPOINT"
USER_ENV = "CITYDIPLO_STORE_USER"
PASSWORD_ENV = "CITYDIPLO_STORE_PASSWORD"
DEFAULT_TIMEOUT = 120.0
_FRAGMENT_KEYS = ("update", "timeout")

_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8"
)
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_TRIPLE_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": None}


def is_remote(location: str | os.PathLike[str]) -> bool:
    """Whether a --store value names a SPARQL endpoint rather than a directory."""
    return isinstance(location, str) and location.casefold().startswith(REMOTE_SCHEMES)


@dataclass(frozen=True)
class EndpointAddress:
    """Where a remote store answers queries and, if writable, updates."""

    query: str
    update: str | None
    timeout: float

    @property
    def display(self) -> str:
        """The store as the user named it, without the fragment: safe to print."""
        return f"sparql+{self.query}"


def parse_store_url(text: str, environ: Mapping[str, str] = os.environ) -> EndpointAddress:
    """The endpoints named by `sparql+http(s)://host/path#update=…&timeout=…`."""
    split = urlsplit(text.strip())
    if split.username is not None or split.password is not None:
        raise StoreError(
            "the --store URL contains credentials, which would be printed in messages and "
            f"kept in shell history: set ${USER_ENV} and ${PASSWORD_ENV} instead"
        )
    scheme = split.scheme.casefold().removeprefix("sparql+")
    query = split._replace(scheme=scheme, fragment="").geturl()
    if not split.hostname:
        raise StoreError(f"the store URL {text!r} names no host; write sparql+http://HOST/PATH")
    try:
        options = dict(parse_qsl(split.fragment, strict_parsing=bool(split.fragment)))
    except ValueError as error:
        raise StoreError(
            f"cannot read the options after '#' in sparql+{query}: write #update=URL&timeout=S"
        ) from error
    unknown = sorted(set(options) - set(_FRAGMENT_KEYS))
    if unknown:
        raise StoreError(
            f"unknown store option(s) {', '.join(unknown)} after '#' in sparql+{query}; "
            f"the options are {', '.join(_FRAGMENT_KEYS)}"
        )
    update = options.get("update") or environ.get(UPDATE_ENV) or None
    if update is not None:
        update = urljoin(query, update.strip())
        if urlsplit(update).scheme not in ("http", "https"):
            raise StoreError(f"the update endpoint {update!r} is not an http(s) URL")
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError as error:
        raise StoreError(f"timeout={options['timeout']!r} is not a number of seconds") from error
    return EndpointAddress(query, update, timeout)


# Just enough of SPARQL's lexical grammar to find the query's WHERE group: braces inside
# comments, strings and IRIs don't count, nor keywords inside prefixed names or variables.
_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+)"""
    r"|(?P<word>[A-Za-z_:][\w:.\-]*)|(?P<punct>[{}()])",
    re.DOTALL,
)


def bind_values(query: str, params: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with `VALUES (?a ?b) { (<…> "…") }` first in its WHERE group.

    Variable names are checked by pyoxigraph and terms are written in N-Triples syntax, so
    neither can close the block or add to the query. First in the group rather than after
    the query: the Oxigraph server evaluates a trailing VALUES block only after the whole
    query (grouping included), minutes instead of a second on a 10,000-city graph.
    """
    variables = " ".join(str(ox.Variable(name)) for name in params)
    terms = " ".join(str(term) for term in params.values())
    values = f"VALUES ({variables}) {{ ({terms}) }}"
    start, end, subselect = _where_group(query)
    if subselect:  # a group holding a subquery can hold nothing else: nest it
        return f"{query[:start]} {values} {{{query[start:end]}}} {query[end:]}"
    return f"{query[:start]} {values} {query[start:]}"


def _where_group(query: str) -> tuple[int, int, bool]:
    """Where the WHERE group's content starts and ends, and whether it is a subquery."""
    form, where_seen, template_skipped = None, False, False
    braces = parens = 0
    start = None
    for token in _TOKEN.finditer(query):
        kind, text = token.lastgroup, token.group()
        if kind == "word" and braces == parens == 0:
            keyword = text.upper()
            if form is None and keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = keyword
            where_seen = where_seen or keyword == "WHERE"
        elif text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{":
            if braces == parens == 0 and start is None and form is not None:
                # CONSTRUCT { template } WHERE { … }: the first group is the template.
                if form == "CONSTRUCT" and not where_seen and not template_skipped:
                    template_skipped = True
                else:
                    start = token.end()
            braces += 1
        elif text == "}":
            braces -= 1
            if braces == 0 and start is not None:
                first = next(t for t in _TOKEN.finditer(query, start) if t.lastgroup != "skip")
                return start, token.start(), first.group().upper() == "SELECT"
    raise QueryError("cannot bind the query's parameters: it has no WHERE group")


def prefix_lines(prefixes: Mapping[str, str]) -> str:
    return "".join(f"PREFIX {name}: {ox.NamedNode(iri)}\n" for name, iri in prefixes.items())


def quad_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA / a template, grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        by_graph.setdefault(str(quad.graph_name), []).append(triple)
    return "\n".join(
        f"GRAPH {graph} {{\n" + "\n".join(triples) + "\n}" for graph, triples in by_graph.items()
    )


def credentials(environ: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """The basic-auth user and password from the environment, if any."""
    user, password = environ.get(USER_ENV), environ.get(PASSWORD_ENV)
    if user is None and password is None:
        return None
    if user is None or password is None:
        raise StoreError(f"set both ${USER_ENV} and ${PASSWORD_ENV} for a password-protected store")
    return user, password


class SparqlEndpoint:
    """A connection to one remote store: queries with a dataset, updates, plain errors."""

    def __init__(self, address: EndpointAddress, auth: tuple[str, str] | None = None) -> None:
        self.address = address
        self.auth = auth
        self._client = httpx.Client(
            auth=httpx.BasicAuth(*auth) if auth else None,
            timeout=httpx.Timeout(address.timeout, connect=min(address.timeout, 10.0)),
            headers={"User-Agent": "citydiplo"},
        )

    def query(
        self, text: str, dataset: Iterable[str] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query; `dataset` (graph IRIs) becomes both the default and the named graphs.

        The graphs go as default-graph-uri / named-graph-uri (SPARQL 1.1 Protocol §2.1.4):
        Fuseki and the Oxigraph server both honour them, so the text stays the caller's.
        """
        graphs = list(dataset or ())
        form = {"query": text, "default-graph-uri": graphs, "named-graph-uri": graphs}
        response = self._send(
            self.address.query, data=form, headers={"Accept": _RESULTS_ACCEPT}, what="query"
        )
        media_type = response.headers.get("content-type", "").split(";")[0].strip().casefold()
        try:
            if media_type in _RESULT_FORMATS:
                return ox.parse_query_results(response.content, _RESULT_FORMATS[media_type])
            if media_type in _TRIPLE_FORMATS:
                return _as_query_triples(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
        except SyntaxError as error:
            raise StoreError(
                f"the SPARQL endpoint {self.address.display} sent results citydiplo cannot "
                f"read ({media_type}): {error}"
            ) from error
        raise StoreError(
            f"the SPARQL endpoint {self.address.display} answered in {media_type or 'no format'}"
            ", not SPARQL results: check that --store names its query endpoint"
        )

    def construct(self, text: str, dataset: Iterable[str]) -> Iterator[ox.Triple]:
        """The triples of a CONSTRUCT query, read as N-Triples."""
        graphs = list(dataset)
        form = {"query": text, "default-graph-uri": graphs, "named-graph-uri": graphs}
        response = self._send(
            self.address.query,
            data=form,
            headers={"Accept": "application/n-triples"},
            what="query",
        )
        return ox.parse(response.content, ox.RdfFormat.N_TRIPLES)

    def update(self, text: str) -> None:
        """Run a SPARQL Update request (atomic on Fuseki and the Oxigraph server)."""
        if self.address.update is None:
            raise StoreError(f"the store {self.address.display} has no update endpoint")
        self._send(
            self.address.update,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            what="update",
        )

    def close(self) -> None:
        self._client.close()

    def _send(self, url: str, *, what: str, **request: Any) -> httpx.Response:
        where = f"the SPARQL {what} endpoint {url}"
        try:
            response = self._client.post(url, **request)
        except httpx.TimeoutException as error:
            raise StoreError(
                f"{where} did not answer within {self.address.timeout:g} seconds; add "
                "#timeout=SECONDS to the --store URL to wait longer"
            ) from error
        except httpx.HTTPError as error:
            raise StoreError(
                f"cannot reach {where} ({_reason(error)}): check that the server is running "
                "and that --store names it"
            ) from error
        if response.is_success:
            return response
        status, detail = response.status_code, _first_line(response.text)
        if status == 400:
            error = QueryError if what == "query" else StoreError
            raise error(f"{where} rejected the {what} (HTTP 400): {detail}")
        if status in (401, 403):
            raise StoreError(
                f"{where} refused access (HTTP {status}): set ${USER_ENV} and ${PASSWORD_ENV} "
                "to an account allowed to " + ("write" if what == "update" else "read")
            )
        if status in (404, 405):
            raise StoreError(
                f"{where} has no SPARQL {what} service at that URL (HTTP {status}): check the "
                "path in the --store URL"
            )
        raise StoreError(f"{where} failed (HTTP {status}): {detail}")


def _as_query_triples(triples: Iterable[ox.Triple]) -> ox.QueryTriples:
    # pyoxigraph cannot build a QueryTriples from Python, so the triples go through an
    # in-memory store: callers get the same type as from the embedded store.
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _reason(error: httpx.HTTPError) -> str:
    text = str(error) or type(error).__name__
    match = re.search(r"\] (.+)$", text)
    return (match.group(1) if match else text).rstrip(".")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = lines[0] if lines else "no details given"
    return detail if len(detail) <= 300 else detail[:297] + "…"
