"""Typed records: what an ingester hands to the graph, each carrying its provenance.

Ingesters produce these from files; `graph.writer` turns them into RDF. They hold plain
Python values, never RDF terms, so a parser can be tested without a store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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
class Actor:
    """A non-city actor as an input names it: a city network, federal body, programme,
    association, organisation or company, project, asset, or a country (as a controller)."""

    name: str
    entity_type: str
    country: str | None = None
    qid: str | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.entity_type})"


# Who takes part in a relation: a city or region, or any other actor.
Party = Place | Actor


@dataclass(frozen=True)
class ActorDetails:
    """What an input says about an actor beyond its name: where it is, what it belongs to."""

    actor: Actor
    located_in: Place | None = None
    part_of: Actor | None = None
    critical: str | None = None
    founded: int | None = None
    alternate_names: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class ResolvedPlace:
    """A place or actor with its IRI and what resolution learned about it.

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
class MembershipRecord:
    """A city's (or an association's) membership in a network or organisation (W3C ORG)."""

    member: Party
    organisation: Actor
    row: int
    role: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
    # Years in which the source saw the membership (ClimActor's C40Cities2019 columns).
    observed: tuple[int, ...] = ()
    citation: str | None = None


@dataclass(frozen=True)
class ContactRecord:
    """A tie between a city or association and a federal body or programme.

    `kind` is a key of vocab.CONTACT_KINDS. A contact made through an intermediary (an
    association, a programme) names it as `via`; a direct contact has none.
    """

    kind: str
    party: Party
    body: Actor
    row: int
    via: Actor | None = None
    programme: Actor | None = None
    amount: Decimal | None = None
    currency: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
    description: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class TieRecord:
    """A dependency tie. `kind` is a key of vocab.TIE_KINDS:

    stake (owner → asset, `share` in %), investment (investor → target, `amount`),
    cooperation (city or project → vendor, `domain`, `status`), control (company → state or
    parent company).
    """

    kind: str
    subject: Party
    target: Party
    row: int
    share: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    domain: str | None = None
    status: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
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
    memberships: list[MembershipRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    ties: list[TieRecord] = field(default_factory=list)
    # Places and actors described without (or beyond) any relation in this source.
    places: list[Place] = field(default_factory=list)
    actors: list[ActorDetails] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
