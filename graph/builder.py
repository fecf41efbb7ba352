"""The quads of one source graph: entity descriptions and provenance records, each written once.

`relations.py` adds the relation nodes on top of a `GraphBuilder`; `writer.py` assembles a
source's graph and commits it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

import pyoxigraph as ox

from . import vocab
from .records import PartialDate, ResolvedPlace

Term = ox.NamedNode | ox.Literal


@dataclass
class SourceDescription:
    """What the provenance graph says about one ingested file."""

    name: str
    file: str
    sha256: str
    retrieved: date
    row_count: int
    format: str

    @cached_property
    def iri(self) -> ox.NamedNode:
        return vocab.source_iri(self.name)

    @cached_property
    def graph(self) -> ox.NamedNode:
        # One graph per version of a source: a changed file is written beside the old version,
        # committed, and then the old version is dropped.
        return ox.NamedNode(f"{vocab.ID}graph/{vocab.slug(self.name)}/{self.sha256[:12]}")


def literal(value: str | int | float | Decimal) -> ox.Literal:
    """A typed literal: xsd:integer, xsd:decimal, or a plain string."""
    if isinstance(value, bool):
        raise TypeError("booleans are not written as literals here")
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=vocab.XSD_INTEGER)
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=vocab.XSD_DECIMAL)
    if isinstance(value, Decimal):
        return ox.Literal(format(value, "f"), datatype=vocab.XSD_DECIMAL)
    return ox.Literal(value)


def date_literal(value: PartialDate) -> ox.Literal:
    if value.month is None:
        datatype = vocab.XSD_GYEAR
    elif value.day is None:
        datatype = vocab.XSD_GYEARMONTH
    else:
        datatype = vocab.XSD_DATE
    return ox.Literal(value.iso(), datatype=datatype)


def effective_status(status: str | None, until: PartialDate | None, today: date) -> str:
    """The stated status, else 'ended' once `until` has passed, else 'active'."""
    if status:
        return status
    if until is not None and until.earliest() <= today:
        return "ended"
    return "active"


class GraphBuilder:
    """Collects the quads of one source graph, describing each entity and record once."""

    def __init__(self, graph: ox.NamedNode, source: SourceDescription, today: date) -> None:
        self.graph = graph
        self.source = source
        self.today = today
        self.quads: list[ox.Quad] = []
        self.relations: Counter[str] = Counter()
        self._described: set[str] = set()

    def add(self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: Term) -> None:
        self.quads.append(ox.Quad(subject, predicate, obj, self.graph))

    def first_time(self, iri: ox.NamedNode) -> bool:
        """True the first time an IRI is described in this graph."""
        if iri.value in self._described:
            return False
        self._described.add(iri.value)
        return True

    def describe_country(self, iso2: str, name: str | None) -> ox.NamedNode:
        iri = vocab.country_iri(iso2)
        if self.first_time(iri):
            self.add(iri, vocab.TYPE, vocab.CLASS["Country"])
            self.add(iri, vocab.ISO2, ox.Literal(iso2.upper()))
            self.add(iri, vocab.WDT_ISO2, ox.Literal(iso2.upper()))
            if name:
                self.add(iri, vocab.LABEL, ox.Literal(name))
                self.add(iri, vocab.NAME, ox.Literal(name))
        return iri

    def describe(self, entity: ResolvedPlace) -> ox.NamedNode:
        """A city, region or other actor, with what resolution learned about it."""
        if entity.entity_type == "Country" and entity.country_iso2:
            return self.describe_country(entity.country_iso2, entity.country_name or entity.name)
        iri = ox.NamedNode(entity.iri)
        if not self.first_time(iri):
            return iri
        add = self.add
        add(iri, vocab.TYPE, vocab.CLASS[entity.entity_type])
        if entity.entity_type == "Region":
            # A region acts like a city in city diplomacy: class it as both.
            add(iri, vocab.TYPE, vocab.CLASS["City"])
        if entity.name:
            add(iri, vocab.LABEL, ox.Literal(entity.name))
            add(iri, vocab.NAME, ox.Literal(entity.name))
        for alternate in entity.alternate_names:
            add(iri, vocab.ALTERNATE_NAME, ox.Literal(alternate))
        if entity.qid:
            add(iri, vocab.QID, ox.Literal(entity.qid))
            add(iri, vocab.SAME_AS, vocab.wikidata_iri(entity.qid))
        if entity.geonames_id is not None:
            add(iri, vocab.GEONAMES_ID, literal(entity.geonames_id))
            add(iri, vocab.SAME_AS, vocab.geonames_iri(entity.geonames_id))
        if entity.country_iso2:
            country = self.describe_country(entity.country_iso2, entity.country_name)
            add(iri, vocab.COUNTRY, country)
            add(iri, vocab.WDT_COUNTRY, country)
        if entity.latitude is not None and entity.longitude is not None:
            add(iri, vocab.LAT, literal(float(entity.latitude)))
            add(iri, vocab.LONG, literal(float(entity.longitude)))
        if entity.population is not None:
            add(iri, vocab.POPULATION, literal(int(entity.population)))
        add(iri, vocab.RESOLUTION, ox.Literal(entity.resolution))
        return iri

    def describe_source(self) -> None:
        """The commit marker: once these quads are written, the source graph is visible."""
        source, add = self.source, self.add
        iri = source.iri
        add(iri, vocab.TYPE, vocab.CLASS["Source"])
        add(iri, vocab.TYPE, ox.NamedNode(vocab.PROV + "Entity"))
        add(iri, vocab.NAME, ox.Literal(source.name))
        add(iri, vocab.LABEL, ox.Literal(source.name))
        add(iri, vocab.FILE, ox.Literal(source.file))
        add(iri, vocab.SHA256, ox.Literal(source.sha256))
        add(iri, vocab.RETRIEVED, ox.Literal(source.retrieved.isoformat(), datatype=vocab.XSD_DATE))
        add(iri, vocab.ROW_COUNT, literal(source.row_count))
        add(iri, vocab.FORMAT, ox.Literal(source.format))

    def record(self, row: int, citation: str | None) -> ox.NamedNode:
        """The provenance record of one row of the source."""
        iri = vocab.record_iri(self.source.iri, row)
        if self.first_time(iri):
            self.add(iri, vocab.TYPE, vocab.CLASS["SourceRecord"])
            self.add(iri, vocab.HAD_PRIMARY_SOURCE, self.source.iri)
            self.add(iri, vocab.ROW, literal(row))
            if citation:
                self.add(iri, vocab.CITATION, ox.Literal(citation))
        return iri

    def relation(
        self, node: ox.NamedNode, classes: tuple[str, ...], row: int, citation: str | None
    ) -> bool:
        """Start a relation node derived from `row`; False if this graph already has it.

        A relation stated again (P190 from the other side, a membership in two rows) only
        gains one more derivation.
        """
        new = self.first_time(node)
        if new:
            self.relations[classes[0]] += 1
            for class_name in classes:
                self.add(node, vocab.TYPE, vocab.CLASS[class_name])
        self.add(node, vocab.WAS_DERIVED_FROM, self.record(row, citation))
        return new

    def interval(
        self, node: ox.NamedNode, since: PartialDate | None, until: PartialDate | None
    ) -> None:
        if since is not None:
            self.add(node, vocab.SINCE, date_literal(since))
        if until is not None:
            self.add(node, vocab.UNTIL, date_literal(until))
