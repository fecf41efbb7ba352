"""`citydiplo neo4j …`: mirror the graph into Neo4j and query it there (issue 6; being built)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Mirror the graph into Neo4j and query it there.", no_args_is_help=True)
