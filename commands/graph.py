"""Commands about the graph as a whole: its size, its sources, SPARQL, export, validation."""

from __future__ import annotations

import io
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from ..errors import QueryError
from ..graph.store import open_store
from ..queries.named import describe_named_queries, run_named
from ..queries.network_stats import network_statistics_of_store
from ..queries.sources import list_sources
from ..queries.sparql import run_sparql
from ..queries.stats import graph_stats
from ..queries.validation import COLUMNS, in_plain_words, summary, validate
from ..views.tabular import OutputFormat, print_document, print_rows
from .options import FormatOption, StoreOption


def stats(
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Degrees, transitivity, assortativity, components, diameter and mean distance "
            "of the twinning network.",
        ),
    ] = False,
) -> None:
    """Entities per class, relations per kind, sources and twinning-network figures.

    Example: citydiplo stats --format json
    Example: citydiplo stats --network
    """
    with open_store(store) as graph_store:
        document = network_statistics_of_store(graph_store) if network else graph_stats(graph_store)
    print_document(document, format)


def sources(store: StoreOption = None, format: FormatOption = OutputFormat.table) -> None:
    """Every ingested source: file, checksum, retrieval date, rows, statements.

    Example: citydiplo sources --format csv
    """
    with open_store(store) as graph_store:
        print_rows(list_sources(graph_store), format, title="Sources")


def sparql(
    query: Annotated[
        str | None, typer.Argument(help="A SPARQL query, or @file.rq to read one.")
    ] = None,
    named: Annotated[
        str | None, typer.Option("--named", help="A query of queries/sparql/, by name.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="NAME=VALUE for --named (repeatable).")
    ] = None,
    list_named: Annotated[
        bool, typer.Option("--list-named", help="List the named queries and their parameters.")
    ] = False,
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Run a SPARQL query over all graphs (prefixes cd:, wd:, wdt:, schema:, … predeclared),
    or one of the named queries with its parameters bound (never spliced into the text).

    Example: citydiplo sparql 'SELECT ?c WHERE { ?c a cd:City } LIMIT 5'
    Example: citydiplo sparql --named twinnings_of_city --param city=Dortmund
    """
    if list_named:
        print_rows(describe_named_queries(), format, title="Named queries")
        return
    if named:
        bad = [p for p in param or () if "=" not in p]
        if bad:
            raise QueryError(f"--param takes NAME=VALUE, not {bad[0]!r}")
        with open_store(store) as graph_store:
            answer = run_named(graph_store, named, dict(p.split("=", 1) for p in param or ()))
        print_rows(answer.rows, format, columns=answer.columns)
        return
    if query is None:
        raise QueryError("give a SPARQL query, @file.rq, --named NAME or --list-named")
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


# format → (serialisation, merge all graphs into one)
_EXPORT = {
    ExportFormat.turtle: (ox.RdfFormat.TURTLE, True),
    ExportFormat.trig: (ox.RdfFormat.TRIG, False),
    ExportFormat.nquads: (ox.RdfFormat.N_QUADS, False),
    ExportFormat.jsonld: (ox.RdfFormat.JSON_LD, False),
}


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
        if output is not None:
            with output.open("wb") as handle:
                graph_store.dump(handle, rdf_format, union=union)
            return
        buffer = io.BytesIO()
        graph_store.dump(buffer, rdf_format, union=union)
    sys.stdout.buffer.write(buffer.getvalue())


def validate_command(store: StoreOption = None, format: FormatOption = OutputFormat.table) -> None:
    """Check the graph against graph/shapes.ttl (SHACL) and report violations in plain words.

    Exit status 1 when the graph does not conform.

    Example: citydiplo validate
    """
    with open_store(store) as graph_store:
        report = validate(graph_store)
    if format is OutputFormat.table:
        for violation in report.violations:
            print(in_plain_words(violation))
        print(summary(report))
    else:
        print_rows(report.violations, format, columns=COLUMNS)
    if not report.conforms:
        raise typer.Exit(1)
