"""`ingest partnerships`: read a file in any supported format, resolve its places, write it.

The whole input is parsed and validated before the store is opened, so a bad file leaves the
store byte-identical; the write itself is one transaction.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from ..errors import IngestError
from ..graph import vocab
from ..graph.records import ParsedSource, Place, Rejection, ResolvedPlace
from ..graph.store import open_store
from ..graph.writer import SourceDescription, source_graph_quads, write_source
from . import partnership_csv, sparql_results, twin_network, wikidata_entities, wikidata_tsv
from .places import PlaceResolver, known_entities, write_review

FORMATS: dict[str, ModuleType] = {
    "csv": partnership_csv,
    "wikidata-tsv": wikidata_tsv,
    "twin-network": twin_network,
    "sparql-json": sparql_results,
    "wikidata-entity": wikidata_entities,
}

T = TypeVar("T")
Tracker = Callable[[Iterable[T], str, int], Iterable[T]]


def _untracked(items: Iterable[T], _description: str, _total: int) -> Iterable[T]:
    return items


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


@dataclass
class IngestSummary:
    """What one ingest did, for the CLI to print and tests to check."""

    source: str
    format: str
    rows: int
    twinnings: int
    places: int
    triples_added: int
    unchanged: bool
    replaced_versions: int = 0
    resolution: dict[str, int] = field(default_factory=dict)
    review_report: str | None = None
    rejected: int = 0
    rejected_report: str | None = None
    notes: list[str] = field(default_factory=list)


def default_source_name(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


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
    track: Tracker = _untracked,
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
    name = source_name or default_source_name(path)
    description = SourceDescription(
        name=name,
        file=str(path.resolve()),
        sha256=checksum,
        retrieved=retrieved or date.today(),
        row_count=parsed.row_count,
        format=parsed.format,
    )
    summary = IngestSummary(
        source=name,
        format=parsed.format,
        rows=parsed.row_count,
        twinnings=0,
        places=0,
        triples_added=0,
        unchanged=False,
        notes=list(parsed.notes),
    )
    with open_store(store, writable=True) as graph_store:
        if any(v.name == name and v.sha256 == checksum for v in graph_store.source_versions()):
            summary.unchanged = True
            return summary
        places = places_to_resolve(parsed)
        needs_names = any(place.qid is None for place in places)
        resolver = PlaceResolver(str(path), known_entities(graph_store) if needs_names else {})
        first_rows = first_rows_of(parsed)
        resolved: dict[Place, ResolvedPlace] = {
            place: resolver.resolve(place, first_rows.get(place, 0))
            for place in track(places, "resolving places", len(places))
        }
        graph = source_graph_quads(description, parsed.twinnings, resolved, parsed.places)
        result = write_source(graph_store, description, graph)
    summary.places = len({r.iri for r in resolved.values()})
    summary.twinnings = graph.twinnings
    summary.triples_added = result.triples_added
    summary.unchanged = result.unchanged
    summary.replaced_versions = result.replaced_versions
    summary.resolution = dict(Counter(r.resolution for r in resolved.values()))
    report_dir = Path(report_dir)
    if resolver.review:
        review_path = report_dir / f"citydiplo-review-{vocab.slug(name)}.csv"
        write_review(resolver.review, review_path)
        summary.review_report = str(review_path)
    if parsed.rejections:
        rejected_path = report_dir / f"citydiplo-rejected-{vocab.slug(name)}.csv"
        write_rejections(parsed.rejections, rejected_path)
        summary.rejected = len(parsed.rejections)
        summary.rejected_report = str(rejected_path)
    return summary


def places_to_resolve(parsed: ParsedSource) -> list[Place]:
    """Every place a source names, once, in the order it first appears."""
    unique: dict[Place, None] = {}
    for record in parsed.twinnings:
        unique.setdefault(record.partner_a)
        unique.setdefault(record.partner_b)
    for place in parsed.places:
        unique.setdefault(place)
    return list(unique)


def first_rows_of(parsed: ParsedSource) -> dict[Place, int]:
    """The row each place first appears on, for the review report."""
    rows: dict[Place, int] = {}
    for record in parsed.twinnings:
        rows.setdefault(record.partner_a, record.row)
        rows.setdefault(record.partner_b, record.row)
    return rows


def write_rejections(rejections: Iterable[Rejection], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason", "content"])
        for rejection in rejections:
            writer.writerow([rejection.line, rejection.reason, rejection.content])
