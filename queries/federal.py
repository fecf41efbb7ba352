"""Who reaches the federal level, and through whom: the channels from cities to federal bodies.

A city reaches the federal level when a chain of directed steps leads from it to a federal
body (any entity typed cd:FederalBody):

- a contact leads from its party to its intermediary and from there to the body, or straight
  to the body when it has none (as the contact layer of the projection draws it). The
  intermediary is the contact's `cd:via` (an association), or else the programme a funding
  runs through: the issue counts both as intermediaries. (`cd:reaches` says a funded city
  reaches the body itself, since a funding has no `cd:via`; the money and the contact run
  through the programme, so here the programme is the channel.)
- a membership leads from the member to the network or association: a city reaches what its
  association reaches (a member of the Deutscher Städtetag reaches the Foreign Office through
  the DST's coordination round);
- `org:subOrganizationOf` leads from a unit to what it is part of (a working group reaches
  its association, a programme the ministry that runs it).

Directions matter: the DST being a member of CEMR does not let CEMR's member cities reach
what the DST reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..graph.store import GraphStore

FEDERAL_LAYERS = ("contact", "membership")
FEDERAL_BODY = "FederalBody"
CITY_TYPES = ("City", "Region")

# Who each relation leads from and to; the projection's undirected edges are oriented by it.
_DIRECTIONS = """
SELECT DISTINCT ?relation ?tail ?head WHERE {
  { ?relation a cd:Contact ; cd:from ?tail ; cd:to ?head }
  UNION { ?relation a cd:Membership ; org:member ?tail ; org:organization ?head }
}
"""

_PARTS = "SELECT DISTINCT ?tail ?head WHERE { ?tail org:subOrganizationOf ?head }"

# Stands for every federal body at once: a channel ends when it reaches any of them.
_FEDERAL_LEVEL = ("the federal level",)


@dataclass(frozen=True)
class Directions:
    """Which way the relations of the federal layers lead."""

    relations: dict[str, tuple[str, str]]
    parts: frozenset[tuple[str, str]]


def channel_directions(store: GraphStore) -> Directions:
    """The direction of every contact, membership and part-of statement in the store."""
    relations = {row["relation"]: (row["tail"], row["head"]) for row in store.select(_DIRECTIONS)}
    parts = frozenset((row["tail"], row["head"]) for row in store.select(_PARTS))
    return Directions(relations, parts)


def channel_graph(graph: nx.MultiGraph, directions: Directions) -> nx.MultiDiGraph:
    """The contact and membership relations of a projection, each edge pointing the way a
    city's channel runs (see the module's docstring).

    Parameters
    ----------
    graph : a projection holding the contact and membership layers (`project(store)`); its
        node attributes and edge evidence are kept.
    directions : `channel_directions(store)`.

    Notes
    -----
    One pass over the edges, O(V + E).
    """
    channels = nx.MultiDiGraph()
    channels.add_nodes_from(graph.nodes(data=True))
    for a, b, key, data in graph.edges(keys=True, data=True):
        if data["layer"] not in FEDERAL_LAYERS:
            continue
        if data["relation"] in directions.relations:
            tail, head = directions.relations[data["relation"]]
            # A mediated contact is two edges, party – intermediary and intermediary – body.
            ways = [(a, b)] if a == tail or b == head else [(b, a)]
        else:
            ways = [(x, y) for x, y in ((a, b), (b, a)) if (x, y) in directions.parts]
        for tail, head in ways:
            channels.add_edge(tail, head, key=key, **data)
    return channels


def federal_reach(channels: nx.MultiDiGraph) -> dict[str, list[str]]:
    """City (or region) IRI → the federal bodies it reaches, for every city that reaches one.

    Notes
    -----
    One reverse search from the federal bodies, then one search per city that reaches the
    federal level: O(C (V + E)) for C such cities.
    """
    bodies = {node for node, kind in channels.nodes(data="type") if kind == FEDERAL_BODY}
    reaching = set().union(*(nx.ancestors(channels, body) for body in bodies))
    return {
        city: sorted(nx.descendants(channels, city) & bodies)
        for city in sorted(reaching)
        if channels.nodes[city]["type"] in CITY_TYPES
    }


def federal_channels(channels: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """How each city reaches the federal level: directly, through several independent
    channels, or only through one intermediary (or one chain of them).

    Parameters
    ----------
    channels : `channel_graph(project(store), channel_directions(store))`.

    Returns
    -------
    list of {"city", "iri", "country", "channel", "intermediary", "intermediary_iri",
    "intermediary_type", "through", "bodies"}, by city name. `channel` is "direct" (a
    contact with a federal body without intermediary: the city has its own channel),
    "single" (every path to every federal body passes through `intermediary`; `through`
    lists all such entities, from the city outward, when a chain of them is unavoidable) or
    "several" (no one entity lies on all paths). `bodies` are the names of the federal bodies
    reached.

    Examples
    --------
    On the bundled dataset Dortmund reaches the Foreign Office only through the programme
    Urban Diplomacy Exchange; Hannover consults it directly:

    >>> [(row["city"], row["channel"], row["intermediary"]) for row in federal_channels(g)]
    [('Dortmund', 'single', 'Urban Diplomacy Exchange'), ('Hannover', 'direct', None)]

    Notes
    -----
    All federal bodies are merged into one sink, where every channel ends. An entity lies on
    every path from a city to the sink exactly when it dominates the sink in the flow graph
    rooted at the city; the dominators of the sink are the chain of its immediate dominators
    (networkx's `immediate_dominators`, the iterative algorithm of Cooper, Harvey and Kennedy,
    near-linear in practice; Lengauer and Tarjan give an O(E α(E, V)) one). A direct contact
    makes the city itself the sink's immediate dominator. One dominator computation per city
    that reaches the federal level, each over what the city reaches: O(C (V + E)) at worst.

    References
    ----------
    K. D. Cooper, T. J. Harvey and K. Kennedy, "A simple, fast dominance algorithm",
    Software Practice and Experience 4 (2001) 1–10.
    T. Lengauer and R. E. Tarjan, "A fast algorithm for finding dominators in a flowgraph",
    ACM Transactions on Programming Languages and Systems 1 (1979) 121–141.
    """
    nodes = channels.nodes
    rows = []
    for city, bodies, through in _dominated_channels(channels):
        direct = any(nodes[body]["type"] == FEDERAL_BODY for body in channels.successors(city))
        first = through[0] if through else None
        rows.append(
            {
                "city": nodes[city]["name"],
                "iri": city,
                "country": nodes[city]["country"],
                "channel": "direct" if direct else "single" if through else "several",
                "intermediary": nodes[first]["name"] if first else None,
                "intermediary_iri": first,
                "intermediary_type": nodes[first]["type"] if first else None,
                "through": [nodes[node]["name"] for node in through],
                "bodies": sorted(nodes[body]["name"] for body in bodies),
            }
        )
    rows.sort(key=lambda row: (row["city"], row["iri"]))
    return rows


def sole_federal_channels(channels: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The intermediaries some cities depend on to reach the federal level, as brokers of the
    "federal" layer, most cities first.

    Returns
    -------
    list of {"name", "iri", "layer", "kind", "country", "disconnects", "cities", "bodies"}:
    `disconnects` counts the cities that lose the federal level without the intermediary
    (`cities`, by name), `bodies` the federal bodies those cities reach through it.

    Notes
    -----
    The dominators of `federal_channels`, counted per entity.
    """
    nodes = channels.nodes
    reach = federal_reach(channels)
    dependants: dict[str, list[str]] = {}
    for city, _, through in _dominated_channels(channels, reach):
        for node in through:
            dependants.setdefault(node, []).append(city)
    brokers = [
        {
            "name": nodes[node]["name"],
            "iri": node,
            "layer": "federal",
            "kind": "sole channel to the federal level",
            "country": nodes[node]["country"],
            "disconnects": len(cities),
            "cities": sorted(nodes[city]["name"] for city in cities),
            "bodies": sorted({nodes[body]["name"] for city in cities for body in reach[city]}),
        }
        for node, cities in dependants.items()
    ]
    brokers.sort(key=lambda row: (-row["disconnects"], row["name"], row["iri"]))
    return brokers


def _dominated_channels(
    channels: nx.MultiDiGraph, reach: dict[str, list[str]] | None = None
) -> Iterator[tuple[str, list[str], list[str]]]:
    """(city, the federal bodies it reaches, the entities on all its paths to them)."""
    flow = _merged_federal_level(channels)
    for city, bodies in (reach if reach is not None else federal_reach(channels)).items():
        dominator = nx.immediate_dominators(flow, city)
        through, step = [], dominator[_FEDERAL_LEVEL]
        while step != city:
            through.append(step)
            step = dominator[step]
        yield city, bodies, through[::-1]


def _merged_federal_level(channels: nx.MultiDiGraph) -> nx.DiGraph:
    """The channels with every federal body replaced by one sink, where channels end."""
    nodes = channels.nodes
    flow = nx.DiGraph()
    flow.add_nodes_from(channels)
    for a, b in channels.edges():
        if nodes[a]["type"] == FEDERAL_BODY:
            continue
        flow.add_edge(a, _FEDERAL_LEVEL if nodes[b]["type"] == FEDERAL_BODY else b)
    return flow
