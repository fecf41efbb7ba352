"""SPARQL 1.1 JSON results of the Wikidata P190 query (queries/sparql/wikidata_p190.rq).

    {"head": {"vars": ["city", "cityLabel", "cityCountry", "partner", "partnerLabel", …]},
     "results": {"bindings": [{"city": {"type": "uri", "value": "http://…/entity/Q3955"},
       "partner": {"type": "uri", "value": "…/Q160927"}, "start": {"type": "literal", …}}]}}

The same query answers on the Wikidata Query Service (wd: IRIs, "en" labels, xsd:dateTime
dates with ?startPrecision/?endPrecision) and on a citydiplo store (citydiplo IRIs, untagged
labels, xsd:gYear/xsd:date dates). Places are known by the QID at the end of their IRI; a
citydiplo place without one (minted from GeoNames or from its name) by label and country.

Rows are the bindings, counted from 1. A pair stated from both sides folds into one twinning
that keeps both rows as provenance. Errors name the binding, at the line where it starts.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from functools import cached_property
from http.client import HTTPException
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..errors import CitydiploError, IngestError
from ..graph.records import ParsedSource, PartialDate, Place, TwinningRecord
from ..graph.vocab import kind_by_key, qid_from_iri
from .countries import resolve_country
from .text import read_json, read_text, repaired
from .validate import RowGate, parse_date, time_at_precision, twinning_problem

FORMAT = "sparql-results-json"
MEDIA_TYPE = "application/sparql-results+json"
REQUIRED_VARIABLES = ("city", "partner")
PARTNERSHIP = kind_by_key("partnership")
WIKIDATA_QUERY_SERVICE = "https://query.wikidata.org/sparql"
P190_QUERY = resources.files("citydiplo.queries").joinpath("sparql/wikidata_p190.rq")
# "typed-literal" is the SPARQL 1.0 JSON form that some endpoints (Virtuoso) still write.
_LITERAL_TYPES = ("literal", "typed-literal")
# A place is known by its QID, else by its label and ISO country code.
PlaceKey = str | tuple[str, str | None]
_BINDINGS_ARRAY = re.compile(r'"bindings"\s*:\s*\[')
_BETWEEN_BINDINGS = re.compile(r"[\s,]*")


def looks_like(path: Path) -> bool:
    if not path.is_file() or path.suffix.casefold() not in (".json", ".srj"):
        return False
    with path.open("rb") as handle:
        start = handle.read(1024)
    return b'"head"' in start and (b'"results"' in start or b'"bindings"' in start)


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read every binding as a twinning; returns the records and the file's checksum."""
    text_file = read_text(path, encoding)
    file = str(path)
    bindings = _bindings(file, read_json(file, text_file.text))
    if not bindings:
        raise IngestError(file, "the results have no rows")
    line_of = _BindingLines(text_file.text)
    gate = RowGate(file, skip_invalid)
    parsed = ParsedSource(file, FORMAT, row_count=len(bindings))
    places: dict[PlaceKey, Place] = {}
    for row, binding in enumerate(bindings, start=1):
        try:
            record = _record(binding, row, places, repair_mojibake)
        except ValueError as error:
            gate.reject(line_of(row), f"binding #{row}: {error}", _shown(binding))
            continue
        problem = twinning_problem(record)
        if problem:
            gate.reject(line_of(row), f"binding #{row}: {problem}", _shown(binding))
            continue
        parsed.twinnings.append(record)
    gate.require_some_valid(len(parsed.twinnings))
    pairs = {frozenset((t.partner_a, t.partner_b)) for t in parsed.twinnings}
    parsed.notes.append(
        f"{len(parsed.twinnings) - len(pairs)} rows state a pair again (most from the other "
        f"side): {len(pairs)} distinct twinnings"
    )
    parsed.rejections = gate.rejections
    return parsed, text_file.sha256


def _bindings(file: str, document: Any) -> list[Any]:
    """The bindings list, or IngestError saying how the document is not P190 query results."""
    if isinstance(document, dict) and "boolean" in document:
        raise IngestError(file, "these are the results of an ASK query (true or false)")
    head = document.get("head") if isinstance(document, dict) else None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(head, dict) or not isinstance(results, dict):
        raise IngestError(file, "not SPARQL JSON results: there is no 'head' and 'results' object")
    variables = head.get("vars")
    if not isinstance(variables, list):
        raise IngestError(file, "not SPARQL JSON results: 'head' has no 'vars' list")
    missing = [f"?{name}" for name in REQUIRED_VARIABLES if name not in variables]
    if missing:
        raise IngestError(
            file,
            f"the results have no {' and no '.join(missing)} variable",
            hint="run queries/sparql/wikidata_p190.rq, which selects ?city, ?partner and more",
        )
    bindings = results.get("bindings")
    if not isinstance(bindings, list):
        raise IngestError(file, "not SPARQL JSON results: 'results' has no 'bindings' list")
    return bindings


def _record(
    binding: Any,
    row: int,
    places: dict[PlaceKey, Place],
    repair_mojibake: bool,
) -> TwinningRecord:
    """The twinning one binding states; ValueError says what is wrong with the binding."""
    if not isinstance(binding, dict):
        raise ValueError("a binding must be an object of variable → RDF term")
    city = _place(binding, "city", places, repair_mojibake)
    partner = _place(binding, "partner", places, repair_mojibake)
    since = _date(binding, "start", "since")
    until = _date(binding, "end", "until")
    return TwinningRecord(city, partner, PARTNERSHIP, row, since, until)


def _term(binding: dict[str, Any], variable: str) -> dict[str, str] | None:
    """The RDF term a variable is bound to, None when unbound."""
    term = binding.get(variable)
    if term is None:
        return None
    if not (
        isinstance(term, dict)
        and isinstance(term.get("type"), str)
        and isinstance(term.get("value"), str)
    ):
        raise ValueError(f"?{variable} is not an RDF term (an object with 'type' and 'value')")
    return term


def _literal(binding: dict[str, Any], variable: str) -> str | None:
    term = _term(binding, variable)
    if term is None:
        return None
    if term["type"] not in _LITERAL_TYPES:
        raise ValueError(f"?{variable} is a {term['type']}, not a literal")
    return term["value"].strip() or None


def _place(
    binding: dict[str, Any],
    side: str,
    places: dict[PlaceKey, Place],
    repair_mojibake: bool,
) -> Place:
    """One partner of the binding; the first row that names a place describes it."""
    term = _term(binding, side)
    if term is None:
        raise ValueError(f"?{side} is unbound")
    if term["type"] != "uri":
        raise ValueError(f"?{side} is a {term['type']}, not an IRI")
    label = _literal(binding, f"{side}Label")
    if label is not None and repaired(label) != label:
        if not repair_mojibake:
            raise ValueError(
                f"?{side}Label {label!r} looks like mojibake (UTF-8 read as Latin-1), probably "
                f"{repaired(label)!r}; pass --repair-mojibake to repair such labels"
            )
        label = repaired(label)
    code = _literal(binding, f"{side}Country")
    country = resolve_country(code)
    if code and country is None:
        raise ValueError(f"?{side}Country: unknown country {code!r}")
    iso2 = country.iso2 if country else None
    qid = qid_from_iri(term["value"])
    if qid is None and label is None:
        raise ValueError(f"?{side} <{term['value']}> has no QID, and no label to find it by")
    key = qid or (label, iso2)
    return places.setdefault(key, Place(label, iso2, qid))


def _date(binding: dict[str, Any], variable: str, what: str) -> PartialDate | None:
    """A start or end date, as precise as ?<variable>Precision says, else as the literal says."""
    term = _term(binding, variable)
    # Wikidata's "unknown value" comes as a blank node or a generated IRI: no date.
    if term is None or term["type"] not in _LITERAL_TYPES:
        return None
    text: str | None = term["value"]
    precision = _literal(binding, f"{variable}Precision")
    if precision is not None:
        if not precision.isdigit():
            raise ValueError(f"?{variable}Precision {precision!r} is not a Wikidata precision")
        text = time_at_precision(term["value"], int(precision))
    return parse_date(text, what) if text else None


def _shown(binding: Any) -> str:
    return json.dumps(binding, ensure_ascii=False)


class _BindingLines:
    """The line each binding starts on, found by reading the bindings again when an error asks.

    json.loads keeps no positions, but an error should point into the file; line 1 when the
    bindings cannot be found again (a key written with escapes, say).
    """

    def __init__(self, text: str) -> None:
        self._text = text

    def __call__(self, row: int) -> int:
        return self._starts[row - 1] if row <= len(self._starts) else 1

    @cached_property
    def _starts(self) -> list[int]:
        text = self._text
        match = _BINDINGS_ARRAY.search(text)
        return _binding_starts(text, match.end()) if match else []


def _binding_starts(text: str, position: int) -> list[int]:
    decoder = json.JSONDecoder()
    line, counted = 1, 0
    starts = []
    while True:
        position = _BETWEEN_BINDINGS.match(text, position).end()
        if text[position] == "]":
            return starts
        line += text.count("\n", counted, position)
        counted = position
        starts.append(line)
        _, position = decoder.raw_decode(text, position)


# --- fetching the results from the Wikidata Query Service --------------------------------------
def _user_agent() -> str:
    # Wikimedia's User-Agent policy: name/version, a way to reach the operator, the library.
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"citydiplo/{metadata.version('citydiplo')} "
        f"(https://citydiplo.org/; citydiplo ingest partnerships --live) Python-urllib/{python}"
    )


def fetch_wikidata_p190(
    output: Path, endpoint: str = WIKIDATA_QUERY_SERVICE, timeout: float = 300
) -> Path:
    """Run the P190 query at a SPARQL endpoint and save its JSON results to `output`.

    The answer is read whole before anything is written, so a failed download leaves no
    file that looks like results. Raises CitydiploError, in one sentence, when the endpoint
    cannot be reached or refuses the query.

    Example
    -------
    >>> fetch_wikidata_p190(Path("wikidata-p190.json"))  # doctest: +SKIP
    """
    request = urllib.request.Request(
        endpoint,
        data=urlencode({"query": P190_QUERY.read_text(encoding="utf-8")}).encode(),
        headers={
            "Accept": MEDIA_TYPE,
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": _user_agent(),
        },
        method="POST",
    )
    by_hand = (
        "download the results yourself (curl -H 'Accept: application/sparql-results+json' "
        f"--data-urlencode query@queries/sparql/wikidata_p190.rq {WIKIDATA_QUERY_SERVICE} "
        f"-o {output}) and ingest that file"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise CitydiploError(
            f"the SPARQL endpoint {endpoint} refused the P190 query "
            f"(HTTP {error.code} {error.reason}); {by_hand}"
        ) from None
    except (OSError, HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise CitydiploError(
            f"the Wikidata Query Service could not be reached at {endpoint}: {reason}; {by_hand}"
        ) from None
    try:
        output.write_bytes(answer)
    except OSError as error:
        raise CitydiploError(f"cannot save the results to {output}: {error.strerror}") from None
    return output
