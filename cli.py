"""The `citydiplo` command: a thin skin over the library. Each command opens the store,
calls one library function and prints its answer; errors become one sentence and exit 2."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import track

from .errors import CitydiploError
from .graph.store import STORE_ENV, open_store
from .ingest.partnerships import FORMATS, ingest_partnerships
from .ingest.pipeline import IngestSummary
from .queries.sources import list_sources
from .queries.sparql import run_sparql
from .queries.stats import graph_stats
from .queries.twinnings import top_twinned
from .views.tabular import OutputFormat, print_document, print_rows

app = typer.Typer(
    help="citydiplo: explore city diplomacy networks as a knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ingest_app = typer.Typer(help="Add a source to the graph.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option("--store", envvar=STORE_ENV, help="Store directory [default: ./.citydiplo]."),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]

PartnershipFormat = Enum("PartnershipFormat", {name: name for name in FORMATS}, type=str)


def _tracker():
    if sys.stderr.isatty():
        return lambda items, description, total: track(
            items, description=description, total=total, console=err, transient=True
        )
    return lambda items, description, total: items


def _print_summary(summary: IngestSummary) -> None:
    if summary.unchanged:
        print(f"{summary.source}: already ingested with the same content; 0 triples added.")
        return
    print(
        f"{summary.source} ({summary.format}): {summary.rows} rows, {summary.twinnings} twinnings, "
        f"{summary.places} places, {summary.triples_added} triples added"
        + (
            f", replaced {summary.replaced_versions} older version"
            if summary.replaced_versions
            else ""
        )
    )
    if summary.resolution:
        found = ", ".join(f"{n} {how}" for how, n in sorted(summary.resolution.items()))
        print(f"  places resolved by: {found}")
    for note in summary.notes:
        print(f"  {note}")
    if summary.review_report:
        print(f"  names to review (ambiguous, unknown, chosen by size): {summary.review_report}")
    if summary.rejected:
        print(f"  {summary.rejected} invalid rows skipped: {summary.rejected_report}")


@ingest_app.command("partnerships")
def ingest_partnerships_command(
    path: Annotated[Path, typer.Argument(help="A file or a data-set directory.")],
    store: StoreOption = None,
    format: Annotated[
        PartnershipFormat | None,
        typer.Option("--format", help="Input format [default: detected]."),
    ] = None,
    source_name: Annotated[
        str | None, typer.Option(help="Name of the source [default: file or folder name].")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Ingest the valid rows; write the rejected ones to a report.")
    ] = False,
    encoding: Annotated[str, typer.Option(help="Text encoding of the input.")] = "utf-8",
    repair_mojibake: Annotated[
        bool,
        typer.Option(
            help="Repair UTF-8 read as Latin-1 ('KÃ¶ln' -> 'Köln') instead of refusing it."
        ),
    ] = False,
    reports: Annotated[
        Path, typer.Option(help="Folder for the review and rejection reports.")
    ] = Path("."),
    live: Annotated[
        bool,
        typer.Option(
            help="Run the Wikidata P190 query at the Wikidata Query Service first, "
            "save its answer to PATH and ingest that (as sparql-json)."
        ),
    ] = False,
) -> None:
    """Ingest twinnings: citydiplo CSV, Wikidata P190 TSVs, a nodes/links network,
    SPARQL JSON results or Wikidata entity JSON.

    Example: citydiplo ingest partnerships ../shared/data/twin-cities-2026
    Example: citydiplo ingest partnerships wikidata-p190.json --live
    """
    from .ingest.sparql_results import WIKIDATA_QUERY_SERVICE, fetch_wikidata_p190

    if live:
        err.print(f"Asking {WIKIDATA_QUERY_SERVICE} for every P190 statement (about a minute)…")
        fetch_wikidata_p190(path)
    summary = ingest_partnerships(
        path,
        store=store,
        format="sparql-json" if live else (format.value if format else None),
        source_name=source_name,
        skip_invalid=skip_invalid,
        encoding=encoding,
        repair_mojibake=repair_mojibake,
        report_dir=reports,
        track=_tracker(),
    )
    _print_summary(summary)


@app.command()
def stats(store: StoreOption = None, format: FormatOption = OutputFormat.table) -> None:
    """Entities per class, relations per kind, sources and twinning-network figures.

    Example: citydiplo stats --format json
    """
    with open_store(store) as graph_store:
        print_document(graph_stats(graph_store), format)


@app.command()
def sources(store: StoreOption = None, format: FormatOption = OutputFormat.table) -> None:
    """Every ingested source: file, checksum, retrieval date, rows, statements.

    Example: citydiplo sources --format csv
    """
    with open_store(store) as graph_store:
        print_rows(list_sources(graph_store), format, title="Sources")


@app.command()
def sparql(
    query: Annotated[str, typer.Argument(help="A SPARQL query, or @file.rq to read one.")],
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Run a SPARQL query over all graphs (prefixes cd:, wd:, wdt:, schema:, … predeclared).

    Example: citydiplo sparql 'SELECT ?c WHERE { ?c a cd:City } LIMIT 5'
    """
    text = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
    with open_store(store) as graph_store:
        answer = run_sparql(graph_store, text)
    if isinstance(answer, bool):
        print_rows([{"answer": answer}], format)
    elif isinstance(answer, bytes):
        sys.stdout.write(answer.decode())
    else:
        print_rows(answer.rows, format, columns=answer.columns)


class ExportFormat(str, Enum):
    turtle = "turtle"
    trig = "trig"
    nquads = "nquads"
    jsonld = "jsonld"


_EXPORT = {
    ExportFormat.turtle: (ox.RdfFormat.TURTLE, True),
    ExportFormat.trig: (ox.RdfFormat.TRIG, False),
    ExportFormat.nquads: (ox.RdfFormat.N_QUADS, False),
    ExportFormat.jsonld: (ox.RdfFormat.JSON_LD, False),
}


@app.command()
def export(
    store: StoreOption = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.trig,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File [default: stdout].")
    ] = None,
) -> None:
    """Export the graph: TriG/N-Quads/JSON-LD keep one named graph per source; Turtle merges them.

    Example: citydiplo export --format turtle -o graph.ttl
    """
    rdf_format, union = _EXPORT[format]
    with open_store(store) as graph_store:
        if output is None:
            sys.stdout.buffer.write(_dump(graph_store, rdf_format, union))
        else:
            with output.open("wb") as handle:
                graph_store.dump(handle, rdf_format, union=union)


def _dump(graph_store, rdf_format, union) -> bytes:
    import io

    buffer = io.BytesIO()
    graph_store.dump(buffer, rdf_format, union=union)
    return buffer.getvalue()


DEMO_DATA = Path("../shared/data/twin-cities-2026")


@app.command()
def demo(
    store: StoreOption = None,
    data: Annotated[Path, typer.Option(help="The data set the demo ingests.")] = DEMO_DATA,
) -> None:
    """Build the demo graph and show a short tour: sizes and the most-twinned cities.

    Example: citydiplo demo
    """
    summary = ingest_partnerships(data, store=store, track=_tracker())
    _print_summary(summary)
    with open_store(store) as graph_store:
        figures = graph_stats(graph_store)
        top = top_twinned(graph_store, 10)
    network = figures["network"]
    print(
        f"\nThe graph: {figures['triples']} statements; {network['nodes']} cities and "
        f"{network['edges']} twinned pairs in {network['components']} components "
        f"(largest: {network['largest_component']} cities)."
    )
    print_rows(
        top,
        OutputFormat.table,
        title="Most-twinned cities",
        columns=["name", "country", "partners", "city"],
    )
    print("Next: citydiplo stats · citydiplo sources · citydiplo sparql @query.rq")


def main() -> None:
    """Entry point: run the app; a CitydiploError becomes one sentence on stderr and exit 2."""
    try:
        app()
    except CitydiploError as error:
        # soft_wrap: one error, one line, whatever the terminal width (logs and CI read it).
        err.print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
