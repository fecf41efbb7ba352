"""How does A reach B, and through whom: shortest paths with the evidence of every hop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx


@dataclass(frozen=True)
class Hop:
    """One step of a path: a relation between two entities, with where it is stated."""

    source_entity: str
    target_entity: str
    relation: str
    layer: str
    kind: str | None
    since: Any
    source: str | None
    row: int | None
    citation: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.source_entity,
            "to": self.target_entity,
            "relation": self.relation,
            "layer": self.layer,
            "kind": self.kind,
            "since": self.since,
            "source": self.citation or self.source,
            "dataset": self.source,
            "row": self.row,
        }


@dataclass
class PathAnswer:
    found: bool
    paths: list[list[Hop]] = field(default_factory=list)
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "paths": [[hop.as_dict() for hop in path] for path in self.paths],
            "reason": self.reason,
        }


def _hops(graph: nx.MultiGraph, nodes: list[str]) -> list[Hop]:
    hops = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        # Several relations may join a pair: show the first stated (a stable choice).
        data = min(
            graph.get_edge_data(a, b).values(), key=lambda d: (str(d["since"]), d["relation"])
        )
        hops.append(
            Hop(
                graph.nodes[a]["name"],
                graph.nodes[b]["name"],
                data["relation"],
                data["layer"],
                data["kind"],
                data["since"],
                data["source"],
                data["row"],
                data["citation"],
            )
        )
    return hops


def explained_paths(
    graph: nx.MultiGraph,
    source: str,
    target: str,
    *,
    all_shortest: bool = False,
    k: int = 1,
    max_hops: int | None = None,
) -> PathAnswer:
    """Shortest path(s) from `source` to `target` (IRIs), every hop with its evidence.

    Parameters
    ----------
    all_shortest : every shortest path instead of one.
    k : the k shortest simple paths (Yen's algorithm, via networkx), if more than 1.
    max_hops : refuse paths longer than this.

    Notes
    -----
    Breadth-first search, O(V + E); k paths cost O(k V (V + E)) (Yen 1971).
    """
    if source not in graph or target not in graph:
        missing = source if source not in graph else target
        return PathAnswer(False, reason=f"{missing} has no relation in the layers chosen")
    if not nx.has_path(graph, source, target):
        return PathAnswer(
            False,
            reason=f"{graph.nodes[source]['name']} and {graph.nodes[target]['name']} are in "
            "different components of the layers chosen",
        )
    if k > 1:
        generator = nx.shortest_simple_paths(nx.Graph(graph), source, target)
        node_paths = [path for _, path in zip(range(k), generator, strict=False)]
    elif all_shortest:
        node_paths = sorted(nx.all_shortest_paths(graph, source, target))
    else:
        node_paths = [nx.shortest_path(graph, source, target)]
    if max_hops is not None:
        node_paths = [p for p in node_paths if len(p) - 1 <= max_hops]
        if not node_paths:
            shortest = nx.shortest_path_length(graph, source, target)
            return PathAnswer(
                False, reason=f"the shortest path has {shortest} hops, more than {max_hops}"
            )
    return PathAnswer(True, [_hops(graph, path) for path in node_paths])
