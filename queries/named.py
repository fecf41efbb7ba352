"""Named SPARQL queries: the questions SPARQL answers naturally, kept as documented `.rq` files
in `queries/sparql/` and run with their parameters bound, never spliced into the text.

Each file starts with a comment: its first paragraph says what the query answers, and a
`Parameters:` block lists each parameter as ``?name (type) description``. The type says how a
value is bound: ``literal`` as a plain string literal, ``iso2`` as an upper-case string literal,
``iri`` as an IRI. A parameter is a variable of the query that appears in its projection (as
SPARQL's SEP-0007 substitution requires) and in one triple pattern; filters compare the terms
that pattern binds, not the parameter itself, since pyoxigraph 0.5 does not see substituted
values in every filter expression (`BOUND(?p)` is false there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError
from ..graph.store import GraphStore, to_python
from .sparql import Solutions

PARAMETER_TYPES = ("literal", "iso2", "iri")
_PARAMETER = re.compile(r"^\?(\w+)\s+\((\w+)\)\s*(.*)$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name (the file's stem), what it answers, its parameters
    and its text."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every query in `queries/sparql/`, by name (the file name without `.rq`).

    Raises ValueError for a file whose header declares a parameter of an unknown type: a
    mistake in the library itself, caught by the test suite.
    """
    folder = resources.files("citydiplo.queries").joinpath("sparql")
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            queries[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return queries


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the description and parameters from the comment at the top of a query."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[1:].strip())
    description = _first_paragraph(header)
    parameters = []
    if "Parameters:" in header:
        for line in header[header.index("Parameters:") + 1 :]:
            match = _PARAMETER.match(line)
            if not match:
                break
            parameter = Parameter(*match.groups())
            if parameter.type not in PARAMETER_TYPES:
                raise ValueError(
                    f"{name}.rq: parameter ?{parameter.name} has type {parameter.type!r}; "
                    f"types are {', '.join(PARAMETER_TYPES)}"
                )
            parameters.append(parameter)
    return NamedQuery(name, description, tuple(parameters), text)


def _first_paragraph(header: list[str]) -> str:
    lines = []
    for line in header:
        if not line:
            break
        lines.append(line)
    return " ".join(lines)


def describe_named_queries() -> list[dict[str, Any]]:
    """One row per named query: {"name", "parameters", "description"}, for listing them."""
    return [
        {
            "name": query.name,
            "parameters": [f"{p.name} ({p.type}): {p.description}" for p in query.parameters],
            "description": query.description,
        }
        for query in named_queries().values()
    ]


def run_named(store: GraphStore, name: str, params: dict[str, str] | None = None) -> Solutions:
    """Run the named query `name` with its parameters bound to `params` (name → value).

    Every declared parameter needs a value and every value a declared parameter; QueryError
    otherwise, naming what is missing or unknown (and the queries there are, for an unknown
    name).

    Examples
    --------
    >>> run_named(store, "twinnings_of_city", {"city": "Dortmund"}).rows[0]  # doctest: +SKIP
    {'city': 'Dortmund', 'partner': 'Amiens', 'kind': 'partnership', ...}

    Notes
    -----
    The values are bound as RDF terms through pyoxigraph's substitutions, so no value can
    change the query. The cost is the query's own.
    """
    queries = named_queries()
    if name not in queries:
        listed = ", ".join(queries)
        raise QueryError(f"there is no named query {name!r}; the named queries are {listed}")
    query = queries[name]
    params = params or {}
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise QueryError(f"{name} has no parameter {', '.join(unknown)}; it takes {takes}")
    missing = [p for p in declared if p not in params]
    if missing:
        example = " ".join(f"--param {p}=…" for p in missing)
        raise QueryError(f"{name} needs a value for {', '.join(missing)} ({example})")
    bound = {p: _term(declared[p], value) for p, value in params.items()}
    answer = store.query(query.text, **bound)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError(f"{name} is not a SELECT query")
    columns = [variable.value for variable in answer.variables]
    return Solutions(columns, [{c: to_python(row[c]) for c in columns} for row in answer])


def _term(parameter: Parameter, value: str) -> ox.NamedNode | ox.Literal:
    if parameter.type == "iri":
        try:
            return ox.NamedNode(value)
        except ValueError as error:
            raise QueryError(f"{parameter.name} must be an IRI, not {value!r}") from error
    if parameter.type == "iso2":
        return ox.Literal(value.strip().upper())
    return ox.Literal(value)
