"""The centrality command: who is central in the network, ranked, or which countries are."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..graph.projection import ProjectionOptions, project
from ..graph.store import open_store
from ..mirror.backend import project_from_neo4j
from ..queries.centrality import METRICS, ranked, relation_network
from ..queries.centrality import centrality as values_of
from ..views.tabular import OutputFormat, print_rows
from .neo4j import Backend, BackendOption, neo4j_session
from .options import AsOfOption, FormatOption, LayersOption, StoreOption, chosen_layers

Metric = Enum("Metric", {name: name for name in METRICS}, type=str)


class Grouping(str, Enum):
    country = "country"


def centrality(
    metric: Annotated[
        Metric, typer.Option("--metric", "-m", help="What makes an entity central.")
    ] = Metric.betweenness,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="Rank only the entities of this country (ISO code, e.g. DE); values are "
            "still those in the whole network."
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to print.")] = 20,
    by: Annotated[
        Grouping | None,
        typer.Option("--by", help="country: one row per country, the sum of its entities."),
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(
            min=2, help="Estimate betweenness from this many random sources (default: exact)."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the --sample draw.")] = None,
    store: StoreOption = None,
    backend: BackendOption = Backend.embedded,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Entities ranked by a centrality: degree, strength (relations), betweenness (exact by
    default), closeness, harmonic, eigenvector, pagerank or kcore. Equal values share a rank.

    Computed on the entities with a relation in the layers chosen, one edge per related pair
    (strength counts the relations). --by country sums the values per country.

    Example: citydiplo centrality --metric betweenness --layers twinning --top 10
    """
    chosen = chosen_layers(layers)
    options = ProjectionOptions(layers=chosen, as_of=as_of)
    if backend is Backend.neo4j:
        with neo4j_session() as (driver, settings):
            graph = project_from_neo4j(driver, settings, options)
    else:
        with open_store(store) as graph_store:
            graph = project(graph_store, options)
    network = relation_network(graph)
    values = values_of(network, metric.value, sample=sample, seed=seed)
    if sample is not None and sample >= network.number_of_nodes():
        sample = None  # as many sources as entities: the exact betweenness
    rows = ranked(graph, values, top=top, by_country=by is Grouping.country, country=country)
    columns = ["rank", "name", "country", "value", "iri"]
    if by is Grouping.country:
        columns.insert(4, "entities")
    print_rows(
        rows, format, title=_title(metric.value, chosen, as_of, sample, seed), columns=columns
    )


def _title(
    metric: str, layers: tuple[str, ...], as_of: int | None, sample: int | None, seed: int | None
) -> str:
    title = f"{metric} centrality, {', '.join(layers)}"
    if as_of is not None:
        title += f", as of {as_of}"
    if sample is not None and metric == "betweenness":
        title += f", estimated from {sample} sources (seed {seed})"
    return title
