"""Commands about the shape of the network: communities, the country matrix, the timeline,
and the export of a projection for Gephi and Cytoscape."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..graph.export_network import write_network
from ..graph.projection import ProjectionOptions, project
from ..graph.store import open_store
from ..queries.centrality import METRICS, centrality, relation_network
from ..queries.communities import communities as louvain_communities
from ..queries.network_stats import country_matrix
from ..queries.timeline import timeline as growth_timeline
from ..views.tabular import OutputFormat, print_rows
from .options import AsOfOption, FormatOption, LayersOption, StoreOption, chosen_layers, err


def communities(
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    resolution: Annotated[
        float, typer.Option(min=0.0, help="Above 1: smaller communities; below 1: larger.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed of Louvain's node order.")] = 0,
    top: Annotated[int, typer.Option("--top", min=1, help="Communities to list.")] = 10,
    members: Annotated[int, typer.Option(min=1, help="Members named per community.")] = 5,
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Communities of the network (Louvain, seeded): size, main countries, best-connected
    members. Layers default to twinning.

    Example: citydiplo communities --layers twinning,membership --seed 1 --top 5
    """
    chosen = chosen_layers(layers) if layers else ("twinning",)
    with open_store(store) as graph_store:
        graph = project(graph_store, ProjectionOptions(layers=chosen, as_of=as_of))
    rows = louvain_communities(graph, resolution=resolution, seed=seed, top_members=members)
    modularity = sum(row["modularity"] for row in rows)
    title = (
        f"{len(rows)} communities of {', '.join(chosen)} (Louvain, seed {seed}, "
        f"resolution {resolution:g}, modularity {modularity:.3f})"
    )
    listed = rows[:top]
    if format is not OutputFormat.json:
        listed = [_joined(row) for row in listed]
    print_rows(listed, format, title=title)


def matrix(
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="Twinning kinds to count, comma-separated or repeated [default: all]."
        ),
    ] = None,
    countries: Annotated[
        str | None, typer.Option(help="Only these countries, ISO alpha-2: DE,FR,PL.")
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", min=0, help="Without --countries: the N most twinned countries (0: all)."
        ),
    ] = 10,
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Twinnings between the cities of two countries. The table is the matrix (a country
    with itself: domestic twinnings); CSV and JSON are its long form, one row per pair of
    countries in both orders: country_a, country_b, twinnings.

    Example: citydiplo matrix --countries DE,FR,PL,CN --kind partnership
    """
    kinds = [part for value in kind or () for part in value.split(",") if part.strip()]
    chosen = countries.split(",") if countries else None
    with open_store(store) as graph_store:
        rows = country_matrix(graph_store, kinds=kinds or None, countries=chosen, top=top or None)
    if format is OutputFormat.table:
        table, columns = _wide(rows)
        print_rows(table, format, title="Twinnings between countries", columns=columns)
    else:
        print_rows(rows, format, columns=["country_a", "country_b", "twinnings"])


def timeline(
    step: Annotated[int, typer.Option(min=1, help="Years per period.")] = 10,
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """New twinnings and memberships per decade (or --step years), and how many were active
    at the end of each; relations without a start year are counted as undated.

    Example: citydiplo timeline --step 5 --format csv
    """
    with open_store(store) as graph_store:
        graph = project(graph_store, ProjectionOptions(layers=("twinning", "membership")))
    rows = growth_timeline(graph, step=step)
    columns = None
    if format is OutputFormat.table:
        columns = [
            "period",
            "new_twinnings",
            "new_memberships",
            "twinnings_active",
            "memberships_active",
        ]
    print_rows(rows, format, title="Twinnings and memberships over time", columns=columns)


class NetworkFormat(str, Enum):
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


def export_network(
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="File to write (CSV: NAME.nodes.csv and NAME.edges.csv)."
        ),
    ],
    format: Annotated[NetworkFormat, typer.Option("--format", "-f")] = NetworkFormat.graphml,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    metrics: Annotated[
        str,
        typer.Option(
            help=f"Centralities to add to each node, comma-separated: {', '.join(METRICS)}."
        ),
    ] = "degree",
    store: StoreOption = None,
) -> None:
    """A projection as GraphML, GEXF or CSV for Gephi and Cytoscape: entities with name, type,
    country and centralities; one edge per relation with its kind, dates and source.

    Example: citydiplo export-network --format gexf --layers twinning
    --metrics degree,betweenness -o twinnings.gexf
    """
    chosen = chosen_layers(layers)
    names = [name.strip() for name in metrics.split(",") if name.strip()]
    with open_store(store) as graph_store:
        graph = project(graph_store, ProjectionOptions(layers=chosen, as_of=as_of))
    network = relation_network(graph)
    values = {name: centrality(network, name) for name in names}
    written = write_network(graph, output, format.value, node_values=values)
    err.print(
        f"{', '.join(map(str, written))}: {network.number_of_nodes()} entities, "
        f"{graph.number_of_edges()} relations",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _joined(row: dict[str, Any]) -> dict[str, Any]:
    """Lists and counts as one cell, names apart by '; ' (names have spaces)."""
    cells = {}
    for key, value in row.items():
        if isinstance(value, dict):
            value = "; ".join(f"{item} {count}" for item, count in value.items())
        elif isinstance(value, list):
            value = "; ".join(value)
        cells[key] = value
    return cells


def _wide(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The long rows as a matrix: one row per country, one column per country, most twinned
    first; empty cells for no twinnings."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["country_a"]] = totals.get(row["country_a"], 0) + row["twinnings"]
    order = sorted(totals, key=lambda code: (-totals[code], code))
    cells = {(row["country_a"], row["country_b"]): row["twinnings"] for row in rows}
    table = [
        {"country": a, **{b: cells.get((a, b)) for b in order}, "total": totals[a]} for a in order
    ]
    return table, ["country", *order, "total"]
