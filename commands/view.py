"""`citydiplo view …`: HTML network views (issue 5; being built)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Write an HTML network view.", no_args_is_help=True)
