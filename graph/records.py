"""Typed records: what an ingester hands to the graph, each carrying its provenance.

Ingesters produce these from files; `graph.writer` turns them into RDF. They hold plain
Python values, never RDF terms, so a parser can be tested without a store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .vocab import Concept

_DATE_PATTERN = re.compile(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A year, a year and month, or a full date, as sources state them (xsd:gYear, …, date)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse '1978', '1978-05' or '1978-05-02' (a leading '+' and a time part are ignored).

        Raises ValueError with a plain-words reason.
        """
        cleaned = text.strip().lstrip("+")
        cleaned = cleaned.split("T", 1)[0]
        match = _DATE_PATTERN.fullmatch(cleaned)
        if not match:
            raise ValueError(f"{text!r} is not a year (1978) or a date (1978-05-02)")
        year, month, day = (int(g) if g else None for g in match.groups())
        # Wikidata writes year-precision dates as 1978-00-00.
        month = month or None
        day = day or None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{text!r} has month {month}")
        if day is not None:
            try:
                date(year, month or 1, day)
            except ValueError as error:
                raise ValueError(f"{text!r} is not a real date ({error})") from None
        return cls(year, month, day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Place:
    """A city or region as an input file names it, before entity resolution."""

    name: str | None
    country: str | None = None
    qid: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    entity_type: str = "City"

    def describe(self) -> str:
        parts = [self.name or self.qid or "?"]
        if self.country:
            parts.append(f"({self.country})")
        return " ".join(parts)


@dataclass(frozen=True)
class ResolvedPlace:
    """A place with its IRI and what resolution learned about it.

    `resolution` says how the identity was found: 'qid', 'known' (an entity already in the
    store), 'geonames', 'geonames-population' (several GeoNames candidates, one far larger),
    'ambiguous' or 'unresolved' (minted from name and country, listed in the review report).
    """

    iri: str
    name: str | None
    entity_type: str
    resolution: str
    country_iso2: str | None = None
    country_name: str | None = None
    qid: str | None = None
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    alternate_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class TwinningRecord:
    """One stated twinning (any kind) between two places, from one row of one source."""

    partner_a: Place
    partner_b: Place
    kind: Concept
    row: int
    since: PartialDate | None = None
    until: PartialDate | None = None
    status: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class Rejection:
    """A row `--skip-invalid` left out, with the reason an error would have given."""

    line: int
    reason: str
    content: str


@dataclass
class ParsedSource:
    """Everything an ingester read from one input, before resolution and writing."""

    path: str
    format: str
    row_count: int
    twinnings: list[TwinningRecord] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
