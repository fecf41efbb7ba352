"""Records → RDF: one named graph per source version, written in one transaction.

Each relation is an n-ary node carrying its attributes, plus direct shortcut triples for
simple queries. Every relation node links (prov:wasDerivedFrom) to the record of the row it
came from, and that record to its source, so every fact can say where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import resources

import pyoxigraph as ox

from . import vocab
from .records import PartialDate, Place, ResolvedPlace, TwinningRecord
from .store import GraphStore


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
        # One graph per version of a source: a changed file is written beside the old version
        # in one transaction, then the old version is dropped.
        return ox.NamedNode(f"{vocab.ID}graph/{vocab.slug(self.name)}/{self.sha256[:12]}")


@dataclass(frozen=True)
class WriteResult:
    """What a write did: triples added, and whether the source was already there unchanged."""

    triples_added: int
    unchanged: bool
    replaced_versions: int


def _literal(value: str | int | float) -> ox.Literal:
    if isinstance(value, bool):
        raise TypeError("booleans are not written as literals here")
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=vocab.XSD_INTEGER)
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=vocab.XSD_DECIMAL)
    return ox.Literal(value)


def date_literal(value: PartialDate) -> ox.Literal:
    if value.month is None:
        datatype = vocab.XSD_GYEAR
    elif value.day is None:
        datatype = vocab.XSD_GYEARMONTH
    else:
        datatype = vocab.XSD_DATE
    return ox.Literal(value.iso(), datatype=datatype)


def effective_status(record: TwinningRecord, today: date) -> str:
    """The stated status, else 'ended' once `until` has passed, else 'active'."""
    if record.status:
        return record.status
    if record.until is not None and record.until.earliest() <= today:
        return "ended"
    return "active"


class _GraphBuilder:
    """Collects the quads of one source graph, describing each entity once."""

    def __init__(self, graph: ox.NamedNode) -> None:
        self.graph = graph
        self.quads: list[ox.Quad] = []
        self.twinnings = 0
        self._described: set[str] = set()

    def add(
        self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal
    ) -> None:
        self.quads.append(ox.Quad(subject, predicate, obj, self.graph))

    def describe_country(self, iso2: str, name: str | None) -> ox.NamedNode:
        iri = vocab.country_iri(iso2)
        if iri.value not in self._described:
            self._described.add(iri.value)
            self.add(iri, vocab.TYPE, vocab.CLASS["Country"])
            self.add(iri, vocab.ISO2, ox.Literal(iso2.upper()))
            self.add(iri, vocab.WDT_ISO2, ox.Literal(iso2.upper()))
            if name:
                self.add(iri, vocab.LABEL, ox.Literal(name))
                self.add(iri, vocab.NAME, ox.Literal(name))
        return iri

    def describe_place(self, place: ResolvedPlace) -> ox.NamedNode:
        iri = ox.NamedNode(place.iri)
        if place.iri in self._described:
            return iri
        self._described.add(place.iri)
        self.add(iri, vocab.TYPE, vocab.CLASS[place.entity_type])
        if place.entity_type == "Region":
            # A region acts like a city in city diplomacy: class it as both.
            self.add(iri, vocab.TYPE, vocab.CLASS["City"])
        if place.name:
            self.add(iri, vocab.LABEL, ox.Literal(place.name))
            self.add(iri, vocab.NAME, ox.Literal(place.name))
        for alternate in place.alternate_names:
            self.add(iri, vocab.ALTERNATE_NAME, ox.Literal(alternate))
        if place.qid:
            self.add(iri, vocab.QID, ox.Literal(place.qid))
            self.add(iri, vocab.SAME_AS, vocab.wikidata_iri(place.qid))
        if place.geonames_id is not None:
            self.add(iri, vocab.GEONAMES_ID, _literal(place.geonames_id))
            self.add(iri, vocab.SAME_AS, vocab.geonames_iri(place.geonames_id))
        if place.country_iso2:
            country = self.describe_country(place.country_iso2, place.country_name)
            self.add(iri, vocab.COUNTRY, country)
            self.add(iri, vocab.WDT_COUNTRY, country)
        if place.latitude is not None and place.longitude is not None:
            self.add(iri, vocab.LAT, _literal(float(place.latitude)))
            self.add(iri, vocab.LONG, _literal(float(place.longitude)))
        if place.population is not None:
            self.add(iri, vocab.POPULATION, _literal(int(place.population)))
        self.add(iri, vocab.RESOLUTION, ox.Literal(place.resolution))
        return iri

    def describe_source(self, source: SourceDescription) -> None:
        """The commit marker: once these quads are written, the source graph is visible."""
        iri = source.iri
        self.add(iri, vocab.TYPE, vocab.CLASS["Source"])
        self.add(iri, vocab.TYPE, ox.NamedNode(vocab.PROV + "Entity"))
        self.add(iri, vocab.NAME, ox.Literal(source.name))
        self.add(iri, vocab.LABEL, ox.Literal(source.name))
        self.add(iri, vocab.FILE, ox.Literal(source.file))
        self.add(iri, vocab.SHA256, ox.Literal(source.sha256))
        self.add(
            iri, vocab.RETRIEVED, ox.Literal(source.retrieved.isoformat(), datatype=vocab.XSD_DATE)
        )
        self.add(iri, vocab.ROW_COUNT, _literal(source.row_count))
        self.add(iri, vocab.FORMAT, ox.Literal(source.format))

    def record(self, source: SourceDescription, row: int, citation: str | None) -> ox.NamedNode:
        iri = vocab.record_iri(source.iri, row)
        if iri.value not in self._described:
            self._described.add(iri.value)
            self.add(iri, vocab.TYPE, vocab.CLASS["SourceRecord"])
            self.add(iri, vocab.HAD_PRIMARY_SOURCE, source.iri)
            self.add(iri, vocab.ROW, _literal(row))
            if citation:
                self.add(iri, vocab.CITATION, ox.Literal(citation))
        return iri

    def twinning(
        self,
        record: TwinningRecord,
        partner_a: ox.NamedNode,
        partner_b: ox.NamedNode,
        source: SourceDescription,
        today: date,
    ) -> None:
        node = vocab.twinning_iri(partner_a, partner_b, record.kind)
        add = self.add
        if node.value in self._described:
            # The same twinning stated again (P190 from the other side): one more derivation.
            add(node, vocab.WAS_DERIVED_FROM, self.record(source, record.row, record.citation))
            return
        self._described.add(node.value)
        self.twinnings += 1
        add(node, vocab.TYPE, vocab.CLASS["Twinning"])
        add(partner_a, vocab.TWINNED_WITH, partner_b)
        add(partner_b, vocab.TWINNED_WITH, partner_a)
        add(node, vocab.KIND, record.kind.iri)
        add(node, vocab.STATUS, vocab.status_iri(effective_status(record, today)))
        # Wikidata's P190 (twinned administrative body) stands for formal twinnings only, so
        # friendships, contacts and project partnerships do not come back as twinnings.
        wikidata = record.kind.key == "partnership"
        for partner in (partner_a, partner_b):
            add(node, vocab.PARTNER, partner)
            if wikidata:
                add(partner, vocab.P_P190, node)
                add(node, vocab.PS_P190, partner)
        if wikidata:
            add(partner_a, vocab.WDT_P190, partner_b)
            add(partner_b, vocab.WDT_P190, partner_a)
        if record.since is not None:
            add(node, vocab.SINCE, date_literal(record.since))
            if wikidata:
                add(node, vocab.PQ_START, date_literal(record.since))
        if record.until is not None:
            add(node, vocab.UNTIL, date_literal(record.until))
            if wikidata:
                add(node, vocab.PQ_END, date_literal(record.until))
        add(node, vocab.WAS_DERIVED_FROM, self.record(source, record.row, record.citation))


def ontology_quads() -> list[ox.Quad]:
    """The vocabulary's own description, kept in a graph of its own so SPARQL can read labels."""
    text = resources.files("citydiplo.graph").joinpath("ontology.ttl").read_bytes()
    graph = ox.NamedNode(vocab.ONTOLOGY_GRAPH)
    return [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(text, ox.RdfFormat.TURTLE)
    ]


@dataclass(frozen=True)
class SourceGraph:
    """The quads one source contributes (each once) and how many twinnings they hold."""

    quads: list[ox.Quad]
    twinnings: int


def source_graph_quads(
    source: SourceDescription,
    twinnings: Iterable[TwinningRecord],
    resolved: Mapping[Place, ResolvedPlace],
    extra_places: Iterable[Place] = (),
    today: date | None = None,
) -> SourceGraph:
    """Every quad one source contributes: its entities and its relations with provenance."""
    today = today or date.today()
    builder = _GraphBuilder(source.graph)
    for record in twinnings:
        partner_a = builder.describe_place(resolved[record.partner_a])
        partner_b = builder.describe_place(resolved[record.partner_b])
        builder.twinning(record, partner_a, partner_b, source, today)
    for place in extra_places:
        builder.describe_place(resolved[place])
    return SourceGraph(builder.quads, builder.twinnings)


def source_marker_quads(source: SourceDescription) -> list[ox.Quad]:
    """The source's description, written last: it makes the source's graph visible."""
    marker = _GraphBuilder(source.graph)
    marker.describe_source(source)
    return marker.quads


def write_source(store: GraphStore, source: SourceDescription, graph: SourceGraph) -> WriteResult:
    """Add one source version atomically; drop its older versions; re-ingest adds nothing.

    The data goes in by the bulk loader (4x faster than a transaction on this data); the
    source's description is written last, in a transaction, and makes the graph visible.
    """
    versions = [v for v in store.source_versions() if v.name == source.name]
    if any(v.sha256 == source.sha256 for v in versions):
        return WriteResult(triples_added=0, unchanged=True, replaced_versions=0)
    store.add_atomically(ontology_quads())
    marker = source_marker_quads(source)
    store.commit_graph(graph.quads, marker)
    for version in versions:
        store.remove_graph(version.graph)
    added = len(graph.quads) + len(marker)
    return WriteResult(triples_added=added, unchanged=False, replaced_versions=len(versions))
