"""What every command shares: the store option, output formats, ingest options, the progress
bar, and how an ingest summary is printed."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import track

from ..errors import QueryError
from ..graph.projection import LAYERS
from ..graph.store import STORE_ENV
from ..ingest.pipeline import IngestSummary
from ..views.tabular import OutputFormat

err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store directory, or a SPARQL endpoint: sparql+http://HOST/PATH[#update=URL] "
        "[default: ./.citydiplo].",
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
SourceNameOption = Annotated[
    str | None, typer.Option(help="Name of the source [default: file or folder name].")
]
SkipInvalidOption = Annotated[
    bool, typer.Option(help="Ingest the valid rows; write the rejected ones to a report.")
]
EncodingOption = Annotated[str, typer.Option(help="Text encoding of the input.")]
RepairOption = Annotated[
    bool,
    typer.Option(help="Repair UTF-8 read as Latin-1 ('KÃ¶ln' -> 'Köln') instead of refusing it."),
]
ReportsOption = Annotated[Path, typer.Option(help="Folder for the review and rejection reports.")]
LayersOption = Annotated[
    list[str] | None,
    typer.Option(
        "--layers",
        help=f"Layers to use, comma-separated or repeated: {', '.join(LAYERS)} [default: all].",
    ),
]
AsOfOption = Annotated[
    int | None, typer.Option("--as-of", help="Only relations active in this year.")
]


def chosen_layers(values: list[str] | None) -> tuple[str, ...]:
    """The layers named by --layers (comma-separated or repeated), in the order of LAYERS."""
    if not values:
        return LAYERS
    named = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(named - set(LAYERS))
    if unknown:
        raise QueryError(f"unknown layer(s) {', '.join(unknown)}; layers are {', '.join(LAYERS)}")
    return tuple(layer for layer in LAYERS if layer in named)


def tracker() -> Callable[[Iterable[Any], str, int], Iterable[Any]]:
    """A rich progress bar on a terminal; nothing when output goes to a file or pipe."""
    if sys.stderr.isatty():
        return lambda items, description, total: track(
            items, description=description, total=total, console=err, transient=True
        )
    return lambda items, description, total: items


_RELATION_WORDS = {
    "Twinning": ("twinning", "twinnings"),
    "Membership": ("membership", "memberships"),
    "Contact": ("contact", "contacts"),
    "Stake": ("stake", "stakes"),
    "Investment": ("investment", "investments"),
    "Cooperation": ("cooperation", "cooperations"),
    "Control": ("control tie", "control ties"),
}


def print_summary(summary: IngestSummary) -> None:
    if summary.unchanged:
        print(f"{summary.source}: already ingested with the same content; 0 triples added.")
        return
    relations = ", ".join(
        f"{n} {_RELATION_WORDS[name][n != 1]}" for name, n in sorted(summary.relations.items())
    )
    print(
        f"{summary.source} ({summary.format}): {summary.rows} rows, "
        f"{relations or 'no relations'}, {summary.places} place{'s' * (summary.places != 1)}, "
        f"{summary.triples_added} triples added"
        + (
            f", replaced {summary.replaced_versions} older version"
            if summary.replaced_versions
            else ""
        )
    )
    if summary.resolution:
        found = ", ".join(f"{n} {how}" for how, n in sorted(summary.resolution.items()))
        print(f"  places and actors resolved by: {found}")
    for entity_type, names in sorted(summary.created.items()):
        print(f"  created on the fly ({entity_type}): {', '.join(sorted(names))}")
    for note in summary.notes:
        print(f"  {note}")
    if summary.review_report:
        print(f"  names to review (ambiguous, unknown, chosen by size): {summary.review_report}")
    if summary.rejected:
        print(f"  {summary.rejected} invalid rows skipped: {summary.rejected_report}")
