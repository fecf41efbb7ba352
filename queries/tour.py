"""The short tour `citydiplo demo` prints: sizes, top brokers, explained paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryError
from ..graph.projection import project, simple
from ..graph.store import GraphStore
from .brokers import separated_by_removal
from .entities import entity_index, find_entity
from .paths import PathAnswer, explained_paths
from .stats import graph_stats

# The questions the analysts' documents ask: how does Dortmund reach Pittsburgh and the
# Foreign Office, and through whom?
TOUR_PATHS = (("Dortmund", "Pittsburgh"), ("Dortmund", "Auswärtiges Amt"))


@dataclass
class Tour:
    figures: dict[str, Any]
    brokers: list[dict[str, Any]]
    paths: list[tuple[str, str, PathAnswer]] = field(default_factory=list)


def demo_tour(store: GraphStore, brokers: int = 5) -> Tour:
    """Sizes of the graph, its top brokers over all layers, and the tour's explained paths."""
    graph = project(store)
    flat = simple(graph)
    ranked = sorted(separated_by_removal(flat).items(), key=lambda item: (-item[1], str(item[0])))
    top = [
        {
            "name": flat.nodes[node]["name"],
            "type": flat.nodes[node]["type"],
            "country": flat.nodes[node]["country"],
            "disconnects": count,
        }
        for node, count in ranked[:brokers]
    ]
    index = entity_index(store)
    paths = []
    for start, end in TOUR_PATHS:
        try:
            answer = explained_paths(
                graph, find_entity(index, start).iri, find_entity(index, end).iri
            )
        except QueryError as error:
            answer = PathAnswer(False, reason=str(error))
        paths.append((start, end, answer))
    return Tour(graph_stats(store), top, paths)
