"""The one way a parsed source reaches the store: resolve its places and actors, write it.

Every `citydiplo ingest …` command parses and validates its whole input first (no store is
opened for a bad file, so the store stays byte-identical), then calls `ingest_parsed`, which
writes the source in one commit.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from ..graph import vocab
from ..graph.builder import SourceDescription
from ..graph.records import Actor, ParsedSource, Party, Place, Rejection, ResolvedPlace
from ..graph.store import open_store
from ..graph.writer import source_graph_quads, write_source
from .actors import ActorResolver, known_actors
from .places import PlaceResolver, known_entities, write_review

T = TypeVar("T")
Tracker = Callable[[Iterable[T], str, int], Iterable[T]]


def untracked(items: Iterable[T], _description: str, _total: int) -> Iterable[T]:
    return items


@dataclass
class IngestSummary:
    """What one ingest did, for the CLI to print and tests to check."""

    source: str
    format: str
    rows: int
    relations: dict[str, int] = field(default_factory=dict)
    places: int = 0
    triples_added: int = 0
    unchanged: bool = False
    replaced_versions: int = 0
    resolution: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    review_report: str | None = None
    rejected: int = 0
    rejected_report: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def twinnings(self) -> int:
        return self.relations.get("Twinning", 0)


def default_source_name(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def parties_to_resolve(parsed: ParsedSource) -> dict[Party, int]:
    """Every place and actor a source names, once, with the row it first appears on."""
    rows: dict[Party, int] = {}
    for record in parsed.twinnings:
        rows.setdefault(record.partner_a, record.row)
        rows.setdefault(record.partner_b, record.row)
    for record in parsed.memberships:
        rows.setdefault(record.member, record.row)
        rows.setdefault(record.organisation, record.row)
    for record in parsed.contacts:
        for party in (record.party, record.body, record.via, record.programme):
            if party is not None:
                rows.setdefault(party, record.row)
    for record in parsed.ties:
        rows.setdefault(record.subject, record.row)
        rows.setdefault(record.target, record.row)
    for place in parsed.places:
        rows.setdefault(place, 0)
    for details in parsed.actors:
        for party in (details.actor, details.located_in, details.part_of):
            if party is not None:
                rows.setdefault(party, 0)
    return rows


def ingest_parsed(
    parsed: ParsedSource,
    checksum: str,
    path: Path,
    *,
    store: str | Path | None = None,
    source_name: str | None = None,
    retrieved: date | None = None,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> IngestSummary:
    """Resolve and write one parsed source (all or nothing); re-ingesting it adds nothing."""
    name = source_name or default_source_name(path)
    description = SourceDescription(
        name=name,
        file=str(path.resolve()),
        sha256=checksum,
        retrieved=retrieved or date.today(),
        row_count=parsed.row_count,
        format=parsed.format,
    )
    summary = IngestSummary(name, parsed.format, parsed.row_count, notes=list(parsed.notes))
    with open_store(store, writable=True) as graph_store:
        if any(v.name == name and v.sha256 == checksum for v in graph_store.source_versions()):
            summary.unchanged = True
            return summary
        parties = parties_to_resolve(parsed)
        needs_names = any(isinstance(p, Place) and p.qid is None for p in parties)
        places = PlaceResolver(str(path), known_entities(graph_store) if needs_names else {})
        needs_actors = any(isinstance(p, Actor) for p in parties)
        actors = ActorResolver(known_actors(graph_store) if needs_actors else {})
        resolved: dict[Party, ResolvedPlace] = {}
        for party in track(parties, "resolving places and actors", len(parties)):
            if isinstance(party, Place):
                resolved[party] = places.resolve(party, parties[party])
            else:
                resolved[party] = actors.resolve(party)
        # What the registry knows about the actors it resolved (seat, parent body, founding
        # year, names). Resolving a parent can add its own details: the list grows as we go.
        for details in actors.details:
            for actor in (details.actor, details.part_of):
                if actor is not None and actor not in resolved:
                    resolved[actor] = actors.resolve(actor)
            if details.located_in is not None and details.located_in not in resolved:
                resolved[details.located_in] = places.resolve(details.located_in, 0)
        parsed.actors.extend(dict.fromkeys(actors.details))
        graph = source_graph_quads(description, parsed, resolved)
        result = write_source(graph_store, description, graph)
    summary.places = len({r.iri for p, r in resolved.items() if isinstance(p, Place)})
    summary.relations = graph.relations
    summary.triples_added = result.triples_added
    summary.unchanged = result.unchanged
    summary.replaced_versions = result.replaced_versions
    summary.resolution = dict(Counter(r.resolution for r in resolved.values()))
    summary.created = actors.created
    _write_reports(summary, places.review, parsed.rejections, Path(report_dir))
    return summary


def _write_reports(
    summary: IngestSummary, review: list, rejections: list[Rejection], report_dir: Path
) -> None:
    if review:
        review_path = report_dir / f"citydiplo-review-{vocab.slug(summary.source)}.csv"
        write_review(review, review_path)
        summary.review_report = str(review_path)
    if rejections:
        rejected_path = report_dir / f"citydiplo-rejected-{vocab.slug(summary.source)}.csv"
        write_rejections(rejections, rejected_path)
        summary.rejected = len(rejections)
        summary.rejected_report = str(rejected_path)


def write_rejections(rejections: Iterable[Rejection], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason", "content"])
        for rejection in rejections:
            writer.writerow([rejection.line, rejection.reason, rejection.content])
