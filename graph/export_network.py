"""A projection as a file for network tools: GraphML (Cytoscape, Gephi, yEd), GEXF (Gephi) or
two CSV tables (nodes and edges, in the column names Gephi's spreadsheet import recognises).

Nodes keep `name`, `type` and `country` (and `label`, the name, which Gephi shows), plus any
values given per node, such as centralities; edges keep the evidence of their relation
(`relation`, `layer`, `kind`, `since`, `until`, `status`, `source`, `row`, `citation`).
One edge per relation: two entities joined by several relations have parallel edges.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = ("graphml", "gexf", "csv")
EDGE_ATTRIBUTES = (
    "relation",
    "layer",
    "kind",
    "since",
    "until",
    "status",
    "source",
    "row",
    "citation",
)


def portable(
    graph: nx.MultiGraph, node_values: Mapping[str, Mapping[Any, Any]] | None = None
) -> nx.MultiGraph:
    """The projection as GraphML and GEXF can hold it: entities with at least one relation,
    in IRI order; values that are None left out (both formats lack a null), lists and other
    non-scalar values written as text ("a; b"); edges keyed 0, 1, … in (a, b, relation)
    order, since a relation's own key is not unique (a contact through an intermediary is
    two edges); `node_values` (name → {node: value}) added as node attributes.
    """
    node_values = node_values or {}
    linked = sorted({node for edge in graph.edges() for node in edge}, key=str)
    result = nx.MultiGraph()
    for node in linked:
        data = dict(graph.nodes[node])
        data.setdefault("label", data.get("name"))
        for name, values in node_values.items():
            data[name] = values.get(node)
        result.add_node(node, **_scalars(data))
    edges = sorted(
        ((*sorted((a, b), key=str), data) for a, b, data in graph.edges(data=True)),
        key=lambda edge: (str(edge[0]), str(edge[1]), str(edge[2].get("relation"))),
    )
    for key, (a, b, data) in enumerate(edges):
        result.add_edge(a, b, key=key, **_scalars(data))
    return result


def write_network(
    graph: nx.MultiGraph,
    path: str | Path,
    format: str,
    *,
    node_values: Mapping[str, Mapping[Any, Any]] | None = None,
) -> list[Path]:
    """Write `portable(graph, node_values)` to `path` as GraphML, GEXF or CSV; return the
    files written.

    CSV is two files beside `path`: `NAME.nodes.csv` (Id, Label, then the node attributes)
    and `NAME.edges.csv` (Source, Target, Type "Undirected", Id, then the evidence), NAME
    being `path` without its suffix; a value left out is an empty cell.

    Examples
    --------
    >>> write_network(project(store), "twinnings.gexf", "gexf")  # doctest: +SKIP
    [PosixPath('twinnings.gexf')]

    Notes
    -----
    Linear in the size of the graph. GEXF is written as version 1.2 by networkx, GraphML by
    networkx with typed keys (integers stay integers, values stay floats).
    """
    if format not in FORMATS:
        raise ValueError(f"unknown network format {format!r}; formats are {', '.join(FORMATS)}")
    exported = portable(graph, node_values)
    path = Path(path)
    if format == "graphml":
        nx.write_graphml(exported, path)
        return [path]
    if format == "gexf":
        nx.write_gexf(exported, path)
        return [path]
    return _write_csv(exported, path, list(node_values or {}))


def _write_csv(graph: nx.MultiGraph, path: Path, value_names: list[str]) -> list[Path]:
    stem = path.with_suffix("") if path.suffix == ".csv" else path
    nodes_path = stem.with_name(stem.name + ".nodes.csv")
    edges_path = stem.with_name(stem.name + ".edges.csv")
    node_columns = ["name", "type", "country", *value_names]
    with nodes_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Label", *node_columns])
        for node, data in graph.nodes(data=True):
            writer.writerow([node, data.get("label", ""), *(data.get(c, "") for c in node_columns)])
    with edges_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Source", "Target", "Type", "Id", *EDGE_ATTRIBUTES])
        for a, b, key, data in graph.edges(keys=True, data=True):
            writer.writerow([a, b, "Undirected", key, *(data.get(c, "") for c in EDGE_ATTRIBUTES)])
    return [nodes_path, edges_path]


def _scalars(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _scalar(value) for key, value in data.items() if value is not None}


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(item) for item in value)
    return str(value)
