"""What a network view's page holds: its nodes and edges with their attributes, position and
style, and the legend, title and caption that say what was drawn, from which store, when and
with which filters. Plain data; `views.html` writes it into the HTML file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import networkx as nx

from .layout import Positions
from .style import (
    KIND_STYLES,
    LAYER_COLORS,
    OTHER,
    STATUS_STYLES,
    edge_style,
    node_colors,
    node_sizes,
)

# Above this many entities only the largest carry a label at the first zoom level (the others
# show theirs when zoomed in), and hovering an edge no longer widens it.
LARGE = 500
_LABELLED_WHEN_LARGE = 60


@dataclass(frozen=True)
class ViewRequest:
    """What the user asked to draw, as the caption tells it."""

    kind: str
    title: str
    store: str
    layers: tuple[str, ...]
    as_of: int | None = None
    country: str | None = None
    size_by: str = "degree"
    color_by: str = "type"
    focus: tuple[Hashable, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Page:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    meta: dict[str, Any]


def _year(value: Any) -> int | None:
    return int(str(value)[:4]) if value is not None else None


def build_page(
    graph: nx.MultiGraph,
    request: ViewRequest,
    *,
    positions: Positions,
    values: Mapping[Hashable, float],
    colored_by: Mapping[Hashable, Any],
) -> Page:
    """The page of `graph`: one node per entity, one edge per relation (the projection's
    evidence on each), drawn at `positions`, sized by `values` (the `size_by` metric) and
    coloured by `colored_by` (the `color_by` attribute of each entity).

    Notes
    -----
    O(V log V + E).
    """
    order = sorted(graph, key=lambda node: (-values.get(node, 0), str(node)))
    number = {node: i for i, node in enumerate(order)}
    drawn_values = {node: values.get(node, 0) for node in order}
    sizes, size_legend = node_sizes(drawn_values)
    colors, color_legend = node_colors(
        {node: colored_by.get(node) for node in order}, request.color_by
    )
    large = len(order) > LARGE
    nodes = []
    for node in order:
        data = graph.nodes[node]
        x, y = positions[node]
        entry = {
            "id": number[node],
            "label": data.get("name") or str(node),
            "iri": data.get("iri", node),
            "type": data.get("type"),
            "country": data.get("country"),
            "value": round(float(drawn_values[node]), 6),
            "group": _text(colored_by.get(node)),
            "color": colors[node],
            "size": sizes[node],
            "x": round(x, 1),
            "y": round(y, 1),
        }
        if large and number[node] < _LABELLED_WHEN_LARGE:
            # The hubs stay legible at the overview's zoom.
            entry["font"] = {"size": 60}
        nodes.append(entry)
    edges = []
    kinds: Counter[str] = Counter()
    for i, (a, b, data) in enumerate(
        sorted(
            graph.edges(data=True),
            key=lambda e: (number[e[0]], number[e[1]], str(e[2].get("relation"))),
        )
    ):
        kinds[data["kind"]] += 1
        edges.append(
            {
                "id": i,
                "from": number[a],
                "to": number[b],
                "kind": data["kind"],
                "layer": data["layer"],
                "since": _year(data.get("since")),
                "until": _year(data.get("until")),
                "status": data.get("status"),
                "source": data.get("source"),
                "row": data.get("row"),
                "citation": data.get("citation"),
                "relation": data.get("relation"),
                "relations": data.get("relations", 1),
                **edge_style(data["kind"], data.get("status")),
            }
        )
    years = [year for edge in edges for year in (edge["since"], edge["until"]) if year is not None]
    meta = {
        "kind": request.kind,
        "title": request.title,
        "caption": _caption(request, len(nodes), len(edges)),
        "notes": list(request.notes),
        "store": request.store,
        "written": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "filters": {
            "layers": list(request.layers),
            "as_of": request.as_of,
            "country": request.country,
        },
        "counts": {"nodes": len(nodes), "edges": len(edges)},
        "years": {"min": min(years), "max": max(years)} if years else None,
        "focus": [number[node] for node in request.focus if node in number],
        "large": large,
        "legend": {
            "colorBy": request.color_by,
            "colors": color_legend,
            "sizeBy": request.size_by,
            "sizes": size_legend,
            "kinds": [
                {
                    "kind": kind,
                    "label": KIND_STYLES.get(kind, (kind, OTHER))[0],
                    "color": KIND_STYLES.get(kind, (kind, OTHER))[1],
                    "count": count,
                }
                for kind, count in sorted(kinds.items(), key=lambda item: _kind_order(item[0]))
            ],
            "statuses": [
                {
                    "status": status,
                    "label": style["label"],
                    "dashes": style["dashes"],
                    "color": style.get("color"),
                }
                for status, style in STATUS_STYLES.items()
            ],
            "layers": LAYER_COLORS,
        },
    }
    return Page(nodes, edges, meta)


def _kind_order(kind: str) -> tuple[int, str]:
    listed = list(KIND_STYLES)
    return (listed.index(kind) if kind in listed else len(listed), kind)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _caption(request: ViewRequest, nodes: int, edges: int) -> str:
    filters = [f"layers {', '.join(request.layers)}"]
    if request.as_of is not None:
        filters.append(f"relations active in {request.as_of}")
    if request.country:
        filters.append(f"relations with a party in {request.country.upper()}")
    return (
        f"{nodes} entities and {edges} relations; {'; '.join(filters)}; "
        f"sized by {request.size_by}, coloured by {request.color_by}. "
        f"From the store {request.store}."
    )
