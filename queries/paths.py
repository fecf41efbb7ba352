"""How does A reach B, and through whom: shortest paths with the evidence of every hop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..graph.projection import LAYERS


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


def hop(source_name: str, target_name: str, relations: Iterable[dict[str, Any]]) -> Hop:
    """The hop between two entities, shown by the first stated of the relations joining them
    (earliest `since`, then relation IRI: a stable choice whatever order they came in)."""
    data = min(relations, key=lambda d: (str(d["since"]), d["relation"]))
    return Hop(
        source_name,
        target_name,
        data["relation"],
        data["layer"],
        data["kind"],
        data["since"],
        data["source"],
        data["row"],
        data["citation"],
    )


def _hops(graph: nx.MultiGraph, nodes: list[str]) -> list[Hop]:
    return [
        hop(graph.nodes[a]["name"], graph.nodes[b]["name"], graph.get_edge_data(a, b).values())
        for a, b in zip(nodes, nodes[1:], strict=False)
    ]


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


def layer_view(graph: nx.MultiGraph, layers: Iterable[str]) -> nx.MultiGraph:
    """The relations of `graph` in `layers` only, as a read-only view.

    Entities without a relation in those layers are left out, so "not in the view" means
    "no relation in the layers chosen".

    Notes
    -----
    One pass over the edges, O(E); the view shares the graph's data.
    """
    wanted = set(layers)
    return graph.edge_subgraph(
        (a, b, key) for a, b, key, layer in graph.edges(keys=True, data="layer") if layer in wanted
    )


def connecting_layers(
    graph: nx.MultiGraph, source: str, target: str, layers: Iterable[str]
) -> list[tuple[str, ...]]:
    """The smallest sets of layers that, added to `layers`, join `source` and `target`.

    Parameters
    ----------
    graph : a projection with every layer (`project(store)`).
    layers : the layers already chosen.

    Returns
    -------
    list of tuples of layer names, in the order of LAYERS; empty when no addition joins them
    (they are in different components of the whole graph) or when `layers` already do.

    Notes
    -----
    Tries the additions by increasing size and keeps the minimal ones: at most 2^4 views (the
    four layers), one breadth-first search each, O(16 (V + E)).
    """
    chosen = tuple(layers)
    missing = [layer for layer in LAYERS if layer not in chosen]
    found: list[tuple[str, ...]] = []
    for size in range(len(missing) + 1):
        for extra in combinations(missing, size):
            if any(set(smaller) <= set(extra) for smaller in found):
                continue
            view = layer_view(graph, (*chosen, *extra))
            if source in view and target in view and nx.has_path(view, source, target):
                found.append(extra)
    return [] if () in found else found


def why_no_path(graph: nx.MultiGraph, source: str, target: str, layers: Iterable[str]) -> str:
    """One sentence on why no path joins `source` and `target` in `layers`.

    Either one of them has no relation at all, or they are in different components of the
    whole graph (with the sizes of both), or the layers chosen exclude every connection, in
    which case the sentence names the layers that would join them.

    Parameters
    ----------
    graph : a projection with every layer (`project(store)`), on which the reason is found.
    layers : the layers the path was looked for in.
    """
    chosen = tuple(layers)
    names = {node: graph.nodes[node]["name"] for node in (source, target)}
    for node in (source, target):
        if graph.degree(node) == 0:
            return f"{names[node]} has no relation in any layer"
    if not nx.has_path(graph, source, target):
        sizes = {node: len(nx.node_connected_component(graph, node)) for node in (source, target)}
        return (
            f"{names[source]} and {names[target]} are in different components: no chain of "
            f"relations in any layer joins them ({names[source]}'s component has "
            f"{sizes[source]} entities, {names[target]}'s {sizes[target]})"
        )
    view = layer_view(graph, chosen)
    without = [names[node] for node in (source, target) if node not in view]
    where = f"the layers chosen ({', '.join(chosen)})"
    if without:
        verb = "have" if len(without) > 1 else "has"
        first = f"{' and '.join(without)} {verb} no relation in {where}"
    else:
        first = f"{names[source]} and {names[target]} are in different components of {where}"
    options = []
    for extra in connecting_layers(graph, source, target, chosen):
        joined = ",".join(layer for layer in LAYERS if layer in {*chosen, *extra})
        options.append(f"{' and '.join(extra)} (--layers {joined})")
    return f"{first}; adding {' or '.join(options)} connects them"


def paths_between(
    graph: nx.MultiGraph,
    source: str,
    target: str,
    *,
    layers: Iterable[str] = LAYERS,
    all_shortest: bool = False,
    k: int = 1,
    max_hops: int | None = None,
) -> PathAnswer:
    """Shortest path(s) from `source` to `target` in `layers`, and why there is none.

    Parameters
    ----------
    graph : a projection with every layer (`project(store)`, any `as_of`); the path is
        looked for in its `layers`, the reason for no path in all of it.
    layers, all_shortest, k, max_hops : as in `explained_paths`.

    Returns
    -------
    PathAnswer: the paths with the evidence of every hop, or `found` False and a `reason`:
    different components, the layers chosen exclude every connection (naming the layers
    that would join them), or the shortest path is longer than `max_hops`.

    Examples
    --------
    On the bundled dataset (`citydiplo demo`), IRIs from `find_entity`:

    >>> paths_between(project(store), dortmund, foreign_office, layers=("twinning",)).reason
    'Auswärtiges Amt has no relation in the layers chosen (twinning); adding contact
    (--layers twinning,contact) connects them'

    Notes
    -----
    Breadth-first search in the chosen layers, O(V + E); when it finds nothing, at most 16
    more (see `connecting_layers`).
    """
    if source == target:
        raise QueryError(f"{graph.nodes[source]['name']} is both ends: name two entities")
    chosen = tuple(layers)
    view = layer_view(graph, chosen)
    if source in view and target in view and nx.has_path(view, source, target):
        return explained_paths(
            view, source, target, all_shortest=all_shortest, k=k, max_hops=max_hops
        )
    return PathAnswer(False, reason=why_no_path(graph, source, target, chosen))
