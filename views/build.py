"""The five network views, each from a store to a `Page`: the whole network, a city's
neighbourhood (ego), the shortest paths between two entities, a city's channels to a country
(exposure), and the network of countries.

Each takes the projection of the layers and year chosen, keeps the relations with a party in
the country chosen, cuts out what it draws (`queries.subgraphs`), and sizes, colours and lays
it out. Sizes are the chosen centrality in that whole filtered network (a partner city of an
ego view is as large as its own connections make it), communities are Louvain's in it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..graph import vocab
from ..graph.projection import LAYERS, ProjectionOptions, project
from ..graph.store import GraphStore
from ..queries import subgraphs
from ..queries.communities import community_of
from ..queries.entities import entity_index, find_entity
from ..queries.exposure import exposure_to
from .layout import Positions, force_layout, layered_layout, radial_layout
from .page import Page, ViewRequest, build_page


@dataclass(frozen=True)
class ViewOptions:
    """The choices every view shares."""

    store: str
    layers: tuple[str, ...] = LAYERS
    as_of: int | None = None
    country: str | None = None
    size_by: str = "degree"
    color_by: str = "type"


def _network(store: GraphStore, options: ViewOptions) -> nx.MultiGraph:
    graph = project(store, ProjectionOptions(layers=options.layers, as_of=options.as_of))
    return subgraphs.with_country(graph, options.country)


def whole_view(store: GraphStore, options: ViewOptions) -> Page:
    """Every entity with a relation in the layers, year and country chosen."""
    network = _network(store, options)
    drawn = subgraphs.whole(network)
    where = f" with a party in {options.country.upper()}" if options.country else ""
    return _page(
        drawn,
        network,
        "whole",
        f"The whole network: every relation{where}",
        options,
        layout=force_layout,
    )


def ego_view(store: GraphStore, name: str, hops: int, options: ViewOptions) -> Page:
    """`name` (any of its names, or its IRI) and the entities within `hops` relations."""
    center = find_entity(entity_index(store), name)
    network = _network(store, options)
    drawn = subgraphs.ego(network, center.iri, hops)
    title = f"{center.name} and the entities within {hops} relation{'s' * (hops > 1)}"
    return _page(
        drawn,
        network,
        "ego",
        title,
        options,
        layout=lambda graph: radial_layout(graph, center.iri),
        focus=(center.iri,),
    )


def path_view(store: GraphStore, source: str, target: str, options: ViewOptions) -> Page:
    """Every shortest path from `source` to `target`, with every relation on them."""
    index = entity_index(store)
    start, end = find_entity(index, source), find_entity(index, target)
    network = _network(store, options)
    drawn = subgraphs.shortest_paths(network, start.iri, end.iri)
    length = nx.shortest_path_length(drawn, start.iri, end.iri)
    title = f"Shortest paths from {start.name} to {end.name} ({length} hop{'s' * (length > 1)})"
    return _page(
        drawn,
        network,
        "path",
        title,
        options,
        layout=lambda graph: layered_layout(graph, start.iri),
        focus=(start.iri, end.iri),
    )


def exposure_view(store: GraphStore, city: str, country: str, options: ViewOptions) -> Page:
    """`city`'s channels to `country` (see `queries.exposure`), each with its evidence."""
    answer = exposure_to(store, country, city=city)
    (exposure,) = answer.cities
    network = _network(store, options)
    drawn = subgraphs.channels(network, exposure, vocab.country_iri(answer.iso2).value)
    title = f"{exposure.city}: channels to {answer.country} (exposure score {exposure.score:g})"
    notes = tuple(
        f"{channel.channel} ({channel.weight:g}): {channel.evidence}"
        for channel in exposure.channels
    ) or (f"{exposure.city} has no channel to {answer.country} in the graph.",)
    return _page(
        drawn,
        network,
        "exposure",
        title,
        options,
        layout=lambda graph: layered_layout(graph, exposure.iri)
        if exposure.iri in graph
        else force_layout(graph),
        focus=(exposure.iri,),
        notes=notes,
    )


def countries_view(store: GraphStore, options: ViewOptions) -> Page:
    """The countries whose entities are related across borders, one edge per pair of
    countries and kind of relation."""
    drawn = subgraphs.countries(_network(store, options))
    return _page(
        drawn, drawn, "countries", "The network of countries", options, layout=force_layout
    )


def _page(
    drawn: nx.MultiGraph,
    network: nx.MultiGraph,
    kind: str,
    title: str,
    options: ViewOptions,
    *,
    layout: Callable[[nx.MultiGraph], Positions],
    focus: tuple[Hashable, ...] = (),
    notes: tuple[str, ...] = (),
) -> Page:
    values = subgraphs.node_values(network if kind != "countries" else drawn, options.size_by)
    request = ViewRequest(
        kind=kind,
        title=title,
        store=options.store,
        layers=options.layers,
        as_of=options.as_of,
        country=options.country,
        size_by=options.size_by,
        color_by=options.color_by,
        focus=focus,
        notes=notes,
    )
    return build_page(
        drawn,
        request,
        positions=layout(drawn),
        values=values,
        colored_by=_colored_by(drawn, network, options.color_by),
    )


def _colored_by(drawn: nx.MultiGraph, network: nx.MultiGraph, color_by: str) -> dict[Hashable, Any]:
    if color_by == "community":
        community = community_of(network)
        return {node: community.get(node) for node in drawn}
    if color_by == "layer":
        # An entity takes the colour of the layer most of its drawn relations are in.
        return {
            node: Counter(layer for *_, layer in drawn.edges(node, data="layer")).most_common(1)[0][
                0
            ]
            if drawn.degree(node)
            else None
            for node in drawn
        }
    return {node: drawn.nodes[node].get(color_by) for node in drawn}
