"""Running a user's SPARQL query and returning plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..graph.store import GraphStore, to_python


@dataclass(frozen=True)
class Solutions:
    columns: list[str]
    rows: list[dict[str, Any]]


def run_sparql(store: GraphStore, query: str) -> Solutions | bool | bytes:
    """SELECT → Solutions; ASK → bool; CONSTRUCT/DESCRIBE → Turtle bytes."""
    answer = store.query(query)
    if isinstance(answer, ox.QuerySolutions):
        columns = [variable.value for variable in answer.variables]
        return Solutions(columns, [{c: to_python(row[c]) for c in columns} for row in answer])
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    return answer.serialize(format=ox.RdfFormat.TURTLE)
