"""`ingest partnerships`: twinnings from a file in any supported format.

The whole input is parsed and validated before the store is opened (`pipeline.py`), so a bad
file leaves the store byte-identical.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import ModuleType

from ..errors import IngestError
from ..graph.records import ParsedSource
from . import partnership_csv, sparql_results, twin_network, wikidata_entities, wikidata_tsv
from .pipeline import IngestSummary, Tracker, ingest_parsed, untracked

FORMATS: dict[str, ModuleType] = {
    "csv": partnership_csv,
    "wikidata-tsv": wikidata_tsv,
    "twin-network": twin_network,
    "sparql-json": sparql_results,
    "wikidata-entity": wikidata_entities,
}


def detect_format(path: Path) -> str:
    """The format of `path`, judged by its name and first bytes."""
    if not path.exists():
        raise IngestError(str(path), "no such file or directory")
    for name, module in FORMATS.items():
        if module.looks_like(path):
            return name
    raise IngestError(
        str(path),
        "cannot tell the format of this input",
        hint=f"pass --format with one of: {', '.join(FORMATS)}",
    )


def read_partnerships(
    path: Path,
    format: str | None = None,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Parse and validate an input without touching any store. Returns records and checksum."""
    name = format or detect_format(path)
    if name not in FORMATS:
        raise IngestError(
            str(path), f"unknown format {name!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    return FORMATS[name].parse(
        path, encoding=encoding, repair_mojibake=repair_mojibake, skip_invalid=skip_invalid
    )


def ingest_partnerships(
    path: str | Path,
    *,
    store: str | Path | None = None,
    format: str | None = None,
    source_name: str | None = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    retrieved: date | None = None,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> IngestSummary:
    """Ingest a partnership file or directory into the store (all or nothing).

    Example
    -------
    >>> ingest_partnerships("../shared/data/twin-cities-2026", store="/tmp/demo")  # doctest: +SKIP
    """
    path = Path(path)
    parsed, checksum = read_partnerships(
        path, format, encoding=encoding, repair_mojibake=repair_mojibake, skip_invalid=skip_invalid
    )
    return ingest_parsed(
        parsed,
        checksum,
        path,
        store=store,
        source_name=source_name,
        retrieved=retrieved,
        report_dir=report_dir,
        track=track,
    )
