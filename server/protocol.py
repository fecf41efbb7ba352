"""The SPARQL 1.1 Protocol as the endpoint reads it: which operation a request carries
(query or update, by GET, urlencoded POST or a direct POST body), its RDF dataset
(`default-graph-uri`, `named-graph-uri`), and which result format to answer in (content
negotiation on `Accept`, or a `format=` parameter as SPARQLWrapper and browsers send it).

Reference: https://www.w3.org/TR/sparql11-protocol/ (sections 2.1 query, 2.2 update).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.requests import Request

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

# What each query form can be answered in, the server's preference first (the default).
SOLUTION_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_TYPES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)

# How pyoxigraph writes each of them.
RESULT_FORMATS = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    JSON_LD: ox.RdfFormat.JSON_LD,
    RDF_XML: ox.RdfFormat.RDF_XML,
}

# Media types clients ask for that name one of the above.
_SYNONYMS = {
    "solutions": {
        "application/json": SPARQL_JSON,
        "application/xml": SPARQL_XML,
        "text/xml": SPARQL_XML,
    },
    "graph": {
        "application/x-turtle": TURTLE,
        "text/n3": TURTLE,
        "text/plain": N_TRIPLES,
        "application/json": JSON_LD,
        "application/xml": RDF_XML,
        "text/xml": RDF_XML,
    },
}
# Values of the `format=` parameter (SPARQLWrapper sends `format`, `output` and `results`).
_FORMAT_NAMES = {
    "solutions": {"json": SPARQL_JSON, "xml": SPARQL_XML, "csv": CSV, "tsv": TSV},
    "graph": {
        "turtle": TURTLE,
        "ttl": TURTLE,
        "n3": TURTLE,
        "nt": N_TRIPLES,
        "ntriples": N_TRIPLES,
        "n-triples": N_TRIPLES,
        "json-ld": JSON_LD,
        "jsonld": JSON_LD,
        "json": JSON_LD,
        "xml": RDF_XML,
        "rdf": RDF_XML,
        "rdf+xml": RDF_XML,
        "rdfxml": RDF_XML,
    },
}

FORM_URLENCODED = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the endpoint answers with an HTTP error: `status` and one sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SparqlRequest:
    """One protocol operation. `default_graphs` / `named_graphs` are None when the request
    names no dataset (the endpoint then uses the query's FROM clauses or the whole store)."""

    operation: str | None  # "query", "update", or None for a GET without either
    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None


async def read_sparql_request(request: Request, max_body: int) -> SparqlRequest:
    """The operation a GET or POST request carries; ProtocolError for a malformed one,
    413 for a body (or GET query string) over `max_body` bytes."""
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if len(request.url.query.encode()) > max_body:
        raise ProtocolError(413, _too_large(max_body))
    if request.method == "GET":
        return _operation(url_params, url_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request, max_body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the request body is not UTF-8: {error}.") from error
    if content_type == FORM_URLENCODED:
        form = parse_qs(text, keep_blank_values=True)
        return _operation({**url_params, **form}, {**url_params, **form})
    if content_type in (SPARQL_QUERY, SPARQL_UPDATE):
        operation = "query" if content_type == SPARQL_QUERY else "update"
        return _operation({operation: [text]}, url_params)
    raise ProtocolError(
        415,
        f"a POST body must be {FORM_URLENCODED}, {SPARQL_QUERY} or {SPARQL_UPDATE}, "
        f"not {content_type or 'untyped'}.",
    )


def _operation(params: dict[str, list[str]], dataset: dict[str, list[str]]) -> SparqlRequest:
    present = [name for name in ("query", "update") if name in params]
    if len(present) == 2:
        raise ProtocolError(400, "a request carries either a query or an update, not both.")
    if present and len(params[present[0]]) > 1:
        raise ProtocolError(400, f"the request has more than one {present[0]} parameter.")
    operation = present[0] if present else None
    formats = params.get("format") or params.get("output") or params.get("results")
    return SparqlRequest(
        operation=operation,
        text=params[operation][0] if operation else "",
        default_graphs=_graphs(dataset, "default-graph-uri", "using-graph-uri"),
        named_graphs=_graphs(dataset, "named-graph-uri", "using-named-graph-uri"),
        format=formats[0] if formats else None,
    )


def _graphs(params: dict[str, list[str]], *names: str) -> tuple[str, ...] | None:
    values = [value for name in names for value in params.get(name, [])]
    return tuple(values) if values else None


async def _read_body(request: Request, max_body: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body:
        raise ProtocolError(413, _too_large(max_body))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise ProtocolError(413, _too_large(max_body))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_body: int) -> str:
    return (
        f"the request is larger than the server's limit of {max_body:,} bytes (--max-body); "
        "send a shorter query."
    )


def result_kind(form: str | None) -> str:
    """ "solutions" for SELECT and ASK, "graph" for CONSTRUCT and DESCRIBE."""
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "solutions"


def negotiate(kind: str, accept: str | None, format_name: str | None = None) -> str:
    """The media type to answer a query whose results are `kind` ("solutions" or "graph"):
    the `format` parameter if given, else the best match for the Accept header by its
    q-values (the server's preference breaks ties), else the default. 406 if none fits.
    """
    offered = SOLUTION_TYPES if kind == "solutions" else GRAPH_TYPES
    if format_name:
        wanted = format_name.strip().lower()
        chosen = _FORMAT_NAMES[kind].get(wanted) or _canonical(kind, wanted)
        if chosen in offered:
            return chosen
        raise ProtocolError(406, _unacceptable(kind, f"format={format_name}"))
    if not accept or not accept.strip():
        return offered[0]
    preferences = _parse_accept(accept)
    best, best_q = None, 0.0
    for media_type in offered:
        q = _quality(media_type, kind, preferences)
        if q > best_q:
            best, best_q = media_type, q
    if best is None:
        raise ProtocolError(406, _unacceptable(kind, f"Accept: {accept}"))
    return best


def _canonical(kind: str, media_type: str) -> str:
    return _SYNONYMS[kind].get(media_type, media_type)


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    preferences = []
    for part in accept.split(","):
        fields = [field.strip() for field in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for field in fields[1:]:
            if field.lower().startswith("q="):
                try:
                    q = float(field[2:])
                except ValueError:
                    q = 0.0
        preferences.append((fields[0].lower(), q))
    return preferences


def _quality(media_type: str, kind: str, preferences: list[tuple[str, float]]) -> float:
    """The q-value the Accept header gives `media_type`: the most specific range wins."""
    main = media_type.split("/")[0]
    exact = [q for name, q in preferences if _canonical(kind, name) == media_type]
    if exact:
        return max(exact)
    partial = [q for name, q in preferences if name == f"{main}/*"]
    if partial:
        return max(partial)
    anything = [q for name, q in preferences if name == "*/*"]
    return max(anything) if anything else 0.0


def _unacceptable(kind: str, asked: str) -> str:
    forms = "SELECT and ASK" if kind == "solutions" else "CONSTRUCT and DESCRIBE"
    offered = SOLUTION_TYPES if kind == "solutions" else GRAPH_TYPES
    return f"{forms} results can be sent as {', '.join(offered)}, not as asked ({asked})."
