"""What if an entity, a kind of relation or a type of entity were gone: the connectivity lost.

A removal takes away entities (by IRI, or every entity of a type such as Association) with
all their relations, and relations of a kind (partnership, membership, funding, stake, …, or
a whole layer as `layer:twinning`). The answer compares the graph before and after:
components and the largest one, the entities cut off, the cities that no longer reach the
federal level, and the pairs whose shortest path gets longer.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from statistics import fmean
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..graph import vocab
from ..graph.projection import LAYERS, simple
from .federal import federal_reach

LAYER_PREFIX = "layer:"
# Relations the projection draws without a relation node of their own.
STRUCTURE_KINDS = ("part-of", "located-in")


@dataclass(frozen=True)
class Removal:
    """What to take away: entities (IRIs), relation kinds (or `layer:NAME`), entity types."""

    entities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


def kind_key(kind: str) -> str:
    """A relation kind as it is compared: lower case, words joined by hyphens ('part of' and
    'Part_Of' are 'part-of')."""
    return re.sub(r"[\s_-]+", "-", kind.strip().lower())


def known_kinds() -> list[str]:
    """Every kind `--remove-kind` accepts: the vocabulary's relation kinds, membership, the
    structure the projection draws, and each layer as `layer:NAME`."""
    concepts = (*vocab.TWINNING_KINDS, *vocab.CONTACT_KINDS, *vocab.TIE_KINDS)
    kinds = {kind_key(concept.key) for concept in concepts} | {"membership", *STRUCTURE_KINDS}
    return sorted(kinds) + [LAYER_PREFIX + layer for layer in LAYERS]


def check_removal(removal: Removal) -> None:
    """QueryError, with suggestions, for a kind or type the vocabulary does not have."""
    if not (removal.entities or removal.kinds or removal.types):
        raise QueryError("nothing to remove: give an entity, a kind of relation or a type")
    kinds = known_kinds()
    for kind in removal.kinds:
        if kind_key(kind) not in kinds:
            close = difflib.get_close_matches(kind_key(kind), kinds, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise QueryError(
                f"no relation kind is called {kind!r}; {hint}Kinds are {', '.join(kinds)}."
            )
    for entity_type in removal.types:
        if entity_type not in vocab.ENTITY_CLASSES:
            close = difflib.get_close_matches(entity_type, vocab.ENTITY_CLASSES, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise QueryError(
                f"no entity type is called {entity_type!r}; {hint}"
                f"Types are {', '.join(vocab.ENTITY_CLASSES)}."
            )


def removed_entities(graph: nx.Graph, removal: Removal) -> set[str]:
    """The IRIs in `graph` the removal takes away: the entities named and those of its types."""
    types = set(removal.types)
    return {
        node
        for node, entity_type in graph.nodes(data="type")
        if node in removal.entities or entity_type in types
    }


def without(graph: nx.MultiGraph, removal: Removal) -> nx.MultiGraph:
    """A copy of a projection (or of a channel graph) without what `removal` takes away.

    Notes
    -----
    One pass over the nodes and one over the edges, O(V + E).
    """
    kinds = {kind_key(kind) for kind in removal.kinds}
    layers = {kind.removeprefix(LAYER_PREFIX) for kind in kinds if kind.startswith(LAYER_PREFIX)}
    after = graph.copy()
    after.remove_nodes_from(removed_entities(graph, removal))
    after.remove_edges_from(
        [
            (a, b, key)
            for a, b, key, data in after.edges(keys=True, data=True)
            if kind_key(data["kind"]) in kinds or data["layer"] in layers
        ]
    )
    return after


def what_if(
    graph: nx.MultiGraph,
    channels: nx.MultiDiGraph,
    removal: Removal,
    *,
    sample: int = 20,
    examples: int = 10,
) -> dict[str, Any]:
    """The connectivity lost when `removal` is taken away.

    Parameters
    ----------
    graph : the layers asked about, `layer_view(project(store), layers)`: only entities with
        a relation in them.
    channels : the federal channels, `channel_graph(project(store), channel_directions(store))`
        (always the contact and membership layers, whatever `graph` holds).
    removal : what to take away (`check_removal` first for a user's input).
    sample : the number of entities whose shortest paths to everyone are compared.
    examples : the number of lengthened pairs listed.

    Returns
    -------
    dict with
    - "removed": {"kinds", "types" (as given), "entities": the names of those taken away,
      "relations": the number of relations of `graph` taken away, "without_relations_here":
      the entities named that have no relation in `graph`};
    - "entities", "components", "largest_component": each {"before", "after"} (an entity
      left without relations counts as a component of its own);
    - "cut_off": [{"name", "iri", "type", "country"}]: in each component, every entity no
      longer in the largest piece that remains of it (for one entity removed, the count is
      `separated_by_removal`'s);
    - "federal_level_lost": [{"city", "iri", "country", "bodies"}]: cities that reached a
      federal body before and reach none after;
    - "longer_paths": {"sources", "sources_affected", "pairs", "longer", "disconnected",
      "mean_increase", "examples": [{"from", "to", "before", "after"}]}.

    Examples
    --------
    On the bundled dataset (`citydiplo demo`), all layers:

    >>> answer = what_if(layer_view(graph, LAYERS), channels, Removal(entities=(eurocities,)))
    >>> answer["components"], len(answer["cut_off"])
    ({'before': 13, 'after': 30}, 40)

    Notes
    -----
    Components before and after, O(V + E). Only pairs whose shortest path ran through what
    was removed can get longer, and each such path passes an entity next to it: the sources
    compared are those entities (the neighbours of removed entities, the ends of removed
    relations), the `sample` best connected of them, each with one breadth-first search
    before and one after: O(sample (V + E)). Pairs are unordered and counted once; the answer
    is exact for these sources, not for all pairs.
    """
    removed = removed_entities(graph, removal)
    absent = [node for node in removal.entities if node not in graph]
    after = without(graph, removal)
    before_flat, after_flat = simple(graph), simple(after)
    components_before = list(nx.connected_components(before_flat))
    components_after = list(nx.connected_components(after_flat))
    nodes = graph.nodes
    cut_off = sorted(
        _cut_off(components_before, components_after),
        key=lambda node: (nodes[node]["name"], node),
    )
    return {
        "removed": {
            "kinds": [kind_key(kind) for kind in removal.kinds],
            "types": list(removal.types),
            "entities": sorted(nodes[node]["name"] for node in removed),
            "relations": graph.number_of_edges() - after.number_of_edges(),
            # The channel graph holds every entity of the projection, with its name.
            "without_relations_here": sorted(
                channels.nodes[node]["name"] if node in channels else node for node in absent
            ),
        },
        "entities": _before_after(graph.number_of_nodes(), after.number_of_nodes()),
        "components": _before_after(len(components_before), len(components_after)),
        "largest_component": _before_after(
            max(map(len, components_before), default=0), max(map(len, components_after), default=0)
        ),
        "cut_off": [
            {
                "name": nodes[node]["name"],
                "iri": node,
                "type": nodes[node]["type"],
                "country": nodes[node]["country"],
            }
            for node in cut_off
        ],
        "federal_level_lost": _federal_level_lost(channels, removal),
        "longer_paths": _longer_paths(before_flat, after_flat, removed, sample, examples),
    }


def _before_after(before: int, after: int) -> dict[str, int]:
    return {"before": before, "after": after}


def _cut_off(before: list[set[str]], after: list[set[str]]) -> set[str]:
    piece = {node: index for index, component in enumerate(after) for node in component}
    cut: set[str] = set()
    for component in before:
        pieces: dict[int, set[str]] = {}
        for node in component:
            if node in piece:
                pieces.setdefault(piece[node], set()).add(node)
        if len(pieces) > 1:
            largest = max(pieces.values(), key=lambda nodes: (len(nodes), min(nodes)))
            cut.update(*(nodes for nodes in pieces.values() if nodes is not largest))
    return cut


def _federal_level_lost(channels: nx.MultiDiGraph, removal: Removal) -> list[dict[str, Any]]:
    before = federal_reach(channels)
    after = federal_reach(without(channels, removal))
    nodes = channels.nodes
    lost = [
        {
            "city": nodes[city]["name"],
            "iri": city,
            "country": nodes[city]["country"],
            "bodies": [nodes[body]["name"] for body in bodies],
        }
        for city, bodies in before.items()
        if city not in after
    ]
    return sorted(lost, key=lambda row: (row["city"], row["iri"]))


def _longer_paths(
    before: nx.Graph, after: nx.Graph, removed: set[str], sample: int, examples: int
) -> dict[str, Any]:
    lost_edges = {frozenset(edge) for edge in before.edges() if not after.has_edge(*edge)}
    affected = {node for edge in lost_edges for node in edge} - removed
    for node in removed:
        affected.update(set(before[node]) - removed)
    sources = sorted(affected, key=lambda node: (-before.degree(node), node))[:sample]
    lengths: dict[frozenset[str], tuple[int, int | None]] = {}
    for source in sources:
        then = nx.single_source_shortest_path_length(before, source)
        now = nx.single_source_shortest_path_length(after, source)
        for target, distance in then.items():
            if target != source and target not in removed:
                lengths[frozenset((source, target))] = (distance, now.get(target))
    longer = {
        pair: (then, now) for pair, (then, now) in lengths.items() if now is not None and now > then
    }
    nodes = before.nodes
    named = {pair: sorted(nodes[node]["name"] for node in pair) for pair in longer}
    listed = sorted(longer, key=lambda pair: (longer[pair][0] - longer[pair][1], named[pair]))
    increases = [now - then for then, now in longer.values()]
    return {
        "sources": [nodes[node]["name"] for node in sources],
        "sources_affected": len(affected),
        "pairs": len(lengths),
        "longer": len(longer),
        "disconnected": sum(now is None for _, now in lengths.values()),
        "mean_increase": round(fmean(increases), 3) if increases else None,
        "examples": [
            {
                "from": named[pair][0],
                "to": named[pair][1],
                "before": longer[pair][0],
                "after": longer[pair][1],
            }
            for pair in listed[:examples]
        ],
    }
