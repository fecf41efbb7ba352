"""Commands about how entities are connected: explained paths, brokers, what-if removals."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..errors import QueryError
from ..graph.projection import ProjectionOptions, project
from ..graph.store import open_store
from ..mirror.backend import (
    channel_directions_from_neo4j,
    entity_index_from_neo4j,
    paths_in_neo4j,
    project_from_neo4j,
)
from ..queries.brokers import brokers_by_layer
from ..queries.entities import entity_index, find_entity
from ..queries.federal import channel_directions, channel_graph, federal_channels
from ..queries.paths import layer_view, paths_between
from ..queries.whatif import Removal, check_removal, what_if
from ..views.tabular import OutputFormat, print_document, print_rows
from .neo4j import Backend, BackendOption, neo4j_session
from .options import AsOfOption, FormatOption, LayersOption, StoreOption, chosen_layers

_HOP_COLUMNS = ["path", "hop", "from", "to", "kind", "layer", "since", "source", "dataset", "row"]
_BROKER_COLUMNS = ["layer", "kind", "name", "country", "disconnects", "cities", "bodies", "iri"]
_FEDERAL_COLUMNS = [
    "city",
    "country",
    "channel",
    "intermediary",
    "intermediary_type",
    "through",
    "bodies",
    "iri",
    "intermediary_iri",
]


def path(
    source: Annotated[str, typer.Argument(help="Where to start: a name, a variant or an IRI.")],
    target: Annotated[str, typer.Argument(help="Where to arrive: a name, a variant or an IRI.")],
    layers: LayersOption = None,
    all_shortest: Annotated[
        bool, typer.Option("--all", help="Every shortest path, not only one.")
    ] = False,
    k: Annotated[
        int, typer.Option("--k", min=1, help="The k shortest paths (Yen's algorithm).")
    ] = 1,
    max_hops: Annotated[
        int | None, typer.Option("--max-hops", min=1, help="No path longer than this.")
    ] = None,
    as_of: AsOfOption = None,
    store: StoreOption = None,
    backend: BackendOption = Backend.embedded,
    format: FormatOption = OutputFormat.table,
) -> None:
    """How A reaches B: the shortest path(s), each hop with its kind, year and source.

    When there is none, says why: different components, the layers chosen leave out every
    connection (and which layers would join them), or the path is longer than --max-hops.

    Example: citydiplo path Dortmund "Auswärtiges Amt" --layers twinning,contact
    """
    chosen = chosen_layers(layers)
    shape = {"layers": chosen, "all_shortest": all_shortest, "k": k, "max_hops": max_hops}
    if backend is Backend.neo4j:
        with neo4j_session() as (driver, settings):
            index = entity_index_from_neo4j(driver, settings)
            start, end = find_entity(index, source), find_entity(index, target)
            if start.iri == end.iri:
                raise QueryError(f"{start.name} is both ends: name two entities")
            answer = paths_in_neo4j(driver, settings, start.iri, end.iri, as_of=as_of, **shape)
    else:
        with open_store(store) as graph_store:
            index = entity_index(graph_store)
            start, end = find_entity(index, source), find_entity(index, target)
            graph = project(graph_store, ProjectionOptions(as_of=as_of))
        answer = paths_between(graph, start.iri, end.iri, **shape)
    if format is OutputFormat.json:
        print_document(answer.as_dict(), format)
        return
    rows = [
        {"path": number, "hop": step, **hop.as_dict()}
        for number, hops in enumerate(answer.paths, 1)
        for step, hop in enumerate(hops, 1)
    ]
    if not answer.found:
        year = f" as of {as_of}" if as_of is not None else ""
        message = f"No path from {start.name} to {end.name}{year}: {answer.reason}."
        if format is OutputFormat.table:
            print(message)
            return
        print(message, file=sys.stderr)
    columns = _HOP_COLUMNS
    if format is OutputFormat.table:
        # Narrow terminals: the citation, the dataset and its row as one cell.
        rows = [{**row, "source": _evidence(row)} for row in rows]
        columns = [column for column in columns if column not in ("layer", "dataset", "row")]
    print_rows(rows, format, title=f"{start.name} → {end.name}", columns=columns)


def brokers(
    layers: LayersOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows per layer.")] = 10,
    federal: Annotated[
        bool,
        typer.Option(
            "--federal",
            help="Instead: every city that reaches the federal level, and how "
            "(direct, through one intermediary, through several).",
        ),
    ] = False,
    as_of: AsOfOption = None,
    store: StoreOption = None,
    backend: BackendOption = Backend.embedded,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Who holds the network together: articulation points and bridges of each layer (and of
    all chosen layers together), ranked by how many entities they cut off; and the
    intermediaries some cities depend on to reach the federal level.

    Example: citydiplo brokers --layers twinning --top 5 --format json
    """
    chosen = chosen_layers(layers)
    if backend is Backend.neo4j:
        with neo4j_session() as (driver, settings):
            graph = project_from_neo4j(driver, settings, ProjectionOptions(as_of=as_of))
            directions = channel_directions_from_neo4j(driver, settings)
    else:
        with open_store(store) as graph_store:
            graph = project(graph_store, ProjectionOptions(as_of=as_of))
            directions = channel_directions(graph_store)
    if federal:
        rows = federal_channels(channel_graph(graph, directions))
        title, columns = "Channels to the federal level", _FEDERAL_COLUMNS
    else:
        rows = brokers_by_layer(graph, chosen, top=top, directions=directions)
        title, columns = "Brokers", _BROKER_COLUMNS
    if format is OutputFormat.json:
        print_rows(rows, format)
        return
    print_rows(
        [_joined(row) for row in rows], format, title=title, columns=_for_people(columns, format)
    )


def whatif(
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", help="An entity to remove, by name or IRI (repeatable)."),
    ] = None,
    remove_kind: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-kind",
            help="Remove every relation of a kind: partnership, membership, funding, stake, …, "
            "or a whole layer as layer:twinning (repeatable).",
        ),
    ] = None,
    remove_type: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-type",
            help="Remove every entity of a type, e.g. Association, CityNetwork (repeatable).",
        ),
    ] = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    sample: Annotated[
        int,
        typer.Option(
            "--sample", min=1, help="Entities next to the removal whose paths are compared."
        ),
    ] = 20,
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """What connectivity is lost without an entity, a kind of relation or a type of entity:
    components, entities cut off, cities that no longer reach the federal level, and paths
    that get longer.

    Example: citydiplo whatif --remove Eurocities
    """
    chosen = chosen_layers(layers)
    with open_store(store) as graph_store:
        index = entity_index(graph_store)
        named = [find_entity(index, name) for name in remove or ()]
        removal = Removal(
            entities=tuple(match.iri for match in named),
            kinds=tuple(remove_kind or ()),
            types=tuple(remove_type or ()),
        )
        check_removal(removal)
        graph = project(graph_store, ProjectionOptions(as_of=as_of))
        channels = channel_graph(graph, channel_directions(graph_store))
    answer = what_if(layer_view(graph, chosen), channels, removal, sample=sample)
    if format is OutputFormat.json:
        print_document(answer, format)
        return
    print_rows(
        _whatif_rows(answer),
        format,
        title="What if without "
        + ", ".join((*removal.kinds, *removal.types, *(match.name for match in named))),
        columns=_for_people(["section", "item", "value", "iri"], format),
    )


def _evidence(hop: dict[str, Any]) -> str:
    where = f"{hop['dataset']}, row {hop['row']}" if hop["dataset"] else "actor details, no row"
    return f"{hop['source']} [{where}]" if hop["source"] != hop["dataset"] else f"[{where}]"


def _for_people(columns: list[str], format: OutputFormat) -> list[str]:
    """Tables are read by people: IRIs stay in CSV and JSON."""
    if format is OutputFormat.table:
        return [column for column in columns if not column.endswith("iri")]
    return columns


def _joined(row: dict[str, Any]) -> dict[str, Any]:
    """Lists as one cell, names apart by '; ' (names have spaces)."""
    return {
        key: "; ".join(value) if isinstance(value, list) else value for key, value in row.items()
    }


def _whatif_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer of `what_if` as rows of one table: section, item, value, IRI."""
    removed, longer = answer["removed"], answer["longer_paths"]
    rows = [
        {"section": "removed", "item": item, "value": "; ".join(removed[item])}
        for item in ("kinds", "types", "entities")
        if removed[item]
    ]
    rows.append({"section": "removed", "item": "relations", "value": removed["relations"]})
    if removed["without_relations_here"]:
        rows.append(
            {
                "section": "removed",
                "item": "no relation in these layers",
                "value": "; ".join(removed["without_relations_here"]),
            }
        )
    for section in ("entities", "components", "largest_component"):
        for moment in ("before", "after"):
            rows.append(
                {
                    "section": section.replace("_", " "),
                    "item": moment,
                    "value": answer[section][moment],
                }
            )
    rows += [
        {
            "section": "cut off",
            "item": entity["name"],
            "value": ", ".join(filter(None, (entity["type"], entity["country"]))),
            "iri": entity["iri"],
        }
        for entity in answer["cut_off"]
    ]
    rows += [
        {
            "section": "federal level lost",
            "item": city["city"],
            "value": "; ".join(city["bodies"]),
            "iri": city["iri"],
        }
        for city in answer["federal_level_lost"]
    ]
    rows.append(
        {
            "section": "longer paths",
            "item": "sources compared",
            "value": f"{len(longer['sources'])} of the {longer['sources_affected']} "
            "entities next to what was removed",
        }
    )
    for item in ("pairs", "longer", "disconnected", "mean_increase"):
        rows.append(
            {"section": "longer paths", "item": item.replace("_", " "), "value": longer[item]}
        )
    rows += [
        {
            "section": "longer path",
            "item": f"{pair['from']} – {pair['to']}",
            "value": f"{pair['before']} → {pair['after']} hops",
        }
        for pair in longer["examples"]
    ]
    return rows
