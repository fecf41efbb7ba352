"""The `citydiplo` command: a thin skin over the library. Each command opens the store,
calls one library function and prints its answer; errors become one sentence and exit 2.

The commands themselves live in `commands/`, one module per group."""

from __future__ import annotations

import sys

import typer

from .commands import (
    analysis,
    centrality,
    demo,
    exposure,
    graph,
    ingest,
    neo4j,
    networks,
    paths,
    serve,
    view,
)
from .commands.options import err
from .errors import CitydiploError

app = typer.Typer(
    help="citydiplo: explore city diplomacy networks as a knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(ingest.app, name="ingest")
app.command()(demo.demo)
app.command()(graph.stats)
app.command()(graph.sources)
app.command()(graph.sparql)
app.command()(graph.export)
app.command("validate")(graph.validate_command)
app.command()(networks.networks)
app.command()(networks.members)
app.command()(paths.path)
app.command()(paths.brokers)
app.command()(paths.whatif)
app.command()(exposure.exposure)
app.command()(centrality.centrality)
app.command()(analysis.communities)
app.command()(analysis.matrix)
app.command()(analysis.timeline)
app.command("export-network")(analysis.export_network)
app.add_typer(view.app, name="view")
app.add_typer(neo4j.app, name="neo4j")
app.command()(serve.serve)


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
