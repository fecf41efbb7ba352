"""How a view looks: colours of entities by type, country, community or layer; the line of
each kind of relation; how a relation's status changes it; node sizes from a centrality.

One table per choice, so the legend the page shows is read from the same tables that
styled the drawing."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

COLOR_BY = ("type", "country", "community", "layer")

# Okabe–Ito and Tableau colours: distinguishable for the common colour-vision deficiencies.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#8c6d31",
    "#7b4173",
    "#3182bd",
    "#bcbd22",
    "#17becf",
)
OTHER = "#b0b0b0"

TYPE_COLORS = {
    "City": "#0072b2",
    "Region": "#56b4e9",
    "Country": "#7f7f7f",
    "CityNetwork": "#8e5cc5",
    "FederalBody": "#e69f00",
    "Programme": "#f0c050",
    "Association": "#c2a05a",
    "Organisation": "#d62728",
    "Project": "#2ca58d",
    "Asset": "#8c564b",
}

LAYER_COLORS = {
    "twinning": "#2b7bba",
    "membership": "#8e5cc5",
    "contact": "#e69f00",
    "tie": "#d62728",
}

# Relation kind → (label, colour). Twinnings in blues and greens, memberships purple,
# federal contacts orange, dependency ties red; structure (part of, located in) brown.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "partnership": ("twinning (partnership)", "#2b7bba"),
    "partner-province": ("partner province", "#5aa0d6"),
    "friendship": ("friendship", "#17becf"),
    "project": ("project partnership", "#2ca58d"),
    "climate": ("climate partnership", "#4caf50"),
    "innovation": ("innovation partnership", "#8bc34a"),
    "contact": ("contact (twinning kind)", "#90a4ae"),
    "membership": ("membership", "#8e5cc5"),
    "funding": ("federal funding", "#e69f00"),
    "contact-point": ("federal contact point", "#f0a830"),
    "coordination-round": ("coordination round", "#d98c00"),
    "consultation": ("consultation", "#f5b85c"),
    "representation": ("representation", "#c77c02"),
    "delegation": ("delegation", "#e8a33d"),
    "visit": ("visit", "#f2c078"),
    "part of": ("part of", "#b0855a"),
    "stake": ("stake", "#d62728"),
    "investment": ("investment", "#e4572e"),
    "cooperation": ("technology cooperation", "#c2185b"),
    "control": ("control", "#7f0000"),
    "located in": ("located in", "#a1887f"),
}

# Status → how the line changes: dormant and on-hold dashed, ended dotted and grey.
STATUS_STYLES: dict[str, dict[str, Any]] = {
    "active": {"label": "active (or no status)", "dashes": False},
    "dormant": {"label": "dormant or on hold", "dashes": [8, 6]},
    "ended": {"label": "ended", "dashes": [2, 5], "color": "#c8c8c8"},
}
_STATUS_GROUP = {"dormant": "dormant", "on-hold": "dormant", "ended": "ended"}

SIZE_MIN, SIZE_MAX = 6.0, 36.0


def status_group(status: str | None) -> str:
    return _STATUS_GROUP.get(status or "active", "active")


def edge_style(kind: str | None, status: str | None) -> dict[str, Any]:
    """The colour, dashes and width of a relation's line."""
    label, color = KIND_STYLES.get(kind or "", (kind or "relation", OTHER))
    style = STATUS_STYLES[status_group(status)]
    return {"color": style.get("color", color), "dashes": style["dashes"]}


def node_colors(
    attribute: Mapping[Hashable, Any], color_by: str
) -> tuple[dict[Hashable, str], list[dict[str, Any]]]:
    """Entity → colour for the values of `attribute`, and the legend rows
    ({"label", "color", "count"}), most frequent first.

    Types and layers have fixed colours; countries and communities take the palette in order
    of size, the rest sharing one grey ("other").
    """
    counts = Counter(value for value in attribute.values())
    fixed = {"type": TYPE_COLORS, "layer": LAYER_COLORS}.get(color_by)
    ordered = sorted(counts, key=lambda value: (value is None, -counts[value], str(value)))
    colors: dict[Any, str] = {}
    legend: list[dict[str, Any]] = []
    other = 0
    for position, value in enumerate(ordered):
        if value is None:
            colors[value] = OTHER
            legend.append({"label": "unknown", "color": OTHER, "count": counts[value]})
        elif fixed is not None:
            colors[value] = fixed.get(value, OTHER)
            legend.append({"label": str(value), "color": colors[value], "count": counts[value]})
        elif position < len(PALETTE):
            colors[value] = PALETTE[position]
            label = f"community {value}" if color_by == "community" else str(value)
            legend.append({"label": label, "color": colors[value], "count": counts[value]})
        else:
            colors[value] = OTHER
            other += counts[value]
    if other:
        legend.append(
            {"label": f"other ({len(ordered) - len(PALETTE)})", "color": OTHER, "count": other}
        )
    return {node: colors[value] for node, value in attribute.items()}, legend


def node_sizes(values: Mapping[Hashable, float]) -> tuple[dict[Hashable, float], list[dict]]:
    """Entity → radius in pixels, the area growing with the value; and three legend rows
    (smallest, middle, largest value) with their radii."""
    top = max(values.values(), default=0) or 1
    sizes = {node: size_of(value, top) for node, value in values.items()}
    ordered = sorted(values.values())
    legend = []
    if ordered:
        for value in dict.fromkeys((ordered[0], ordered[len(ordered) // 2], ordered[-1])):
            legend.append({"value": value, "size": size_of(value, top)})
    return sizes, legend


def size_of(value: float, top: float) -> float:
    return round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(max(value, 0) / top), 1)
