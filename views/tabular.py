"""One way to print answers: a rich table, CSV or JSON, chosen with --format everywhere."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..graph.vocab import ID


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return " ".join(map(_cell, value))
    return str(value)


def print_rows(
    rows: Sequence[dict[str, Any]],
    output: OutputFormat,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    stream: TextIO | None = None,
) -> None:
    """Print a list of flat records in the chosen format (JSON keeps the values' types)."""
    stream = stream or sys.stdout
    columns = list(columns or (rows[0].keys() if rows else []))
    if output is OutputFormat.json:
        json.dump(list(rows), stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")
    elif output is OutputFormat.csv:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            # Cells are plain text: markup in names from data files must not be interpreted.
            table.add_row(*(Text(_compact(_cell(row.get(c)))) for c in columns))
        Console(file=stream, soft_wrap=False).print(table)


def _compact(text: str) -> str:
    # Tables are read by people: citydiplo's own IRIs as cdid:… (CSV and JSON keep them whole).
    return "cdid:" + text.removeprefix(ID) if text.startswith(ID) else text


def print_document(
    document: dict[str, Any], output: OutputFormat, stream: TextIO | None = None
) -> None:
    """Print a nested summary (like `stats`): JSON as is, tables and CSV one row per figure."""
    stream = stream or sys.stdout
    if output is OutputFormat.json:
        json.dump(document, stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")
        return
    rows = [
        {"section": section, "item": item, "value": value}
        for section, item, value in _flatten(document)
    ]
    print_rows(rows, output, columns=["section", "item", "value"], stream=stream)


def _flatten(document: dict[str, Any]):
    for key, value in document.items():
        if isinstance(value, dict):
            for item, inner in value.items():
                yield key, item, inner
        else:
            yield key, "", value
