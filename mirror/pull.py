"""Read a Neo4j graph that follows the mirror schema back into the store, as one source graph.

The triples come back through the same writer as an ingest (`graph.writer.write_source`):
the data first, then the cd:Source description of the pull, which commits it. Pulling the
same graph again adds nothing.

What comes back: every triple the mirror holds about entities, relations and source records,
with the IRIs they had (records keep pointing at their original sources, which get their name
and label back). The shortcut triples the ingesters write beside each relation
(`cd:twinnedWith`, `wdt:P190`, `cd:reaches`, …) are rebuilt from the relations by the same
rules as `graph/relations.py`. Not the original sources' own descriptions (file, checksum,
retrieval date): the pull is the source of this graph, and describes itself.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from typing import Any

import neo4j
import pyoxigraph as ox

from ..graph import vocab
from ..graph.builder import GraphBuilder, SourceDescription, literal
from ..graph.store import GraphStore
from ..graph.writer import SourceGraph, WriteResult, write_source
from . import schema
from .connection import Neo4jSettings, run

_ENTITIES = f"MATCH (n:{schema.ENTITY}) RETURN n {{.*}} AS properties, labels(n) AS labels"
_RELATIONSHIPS = (
    f"MATCH (a:{schema.ENTITY})-[r]->(b:{schema.ENTITY}) WHERE type(r) IN $types "
    "RETURN type(r) AS type, a.iri AS start, b.iri AS end, r {.*} AS properties"
)
_RECORDS = f"MATCH (r:{schema.RECORD}) RETURN r {{.*}} AS properties"
_SOURCES = f"MATCH (s:{schema.SOURCE}) RETURN s.iri AS iri, s.name AS name"

_DATE_TYPES = {4: vocab.XSD_GYEAR, 7: vocab.XSD_GYEARMONTH, 10: vocab.XSD_DATE}


def _term(value: Any, datatype: str) -> ox.NamedNode | ox.Literal:
    if datatype == "iri":
        return ox.NamedNode(value)
    if datatype == "integer":
        return literal(int(value))
    if datatype == "decimal":
        return literal(float(value))
    if datatype == "date":
        text = str(value)
        return ox.Literal(text, datatype=_DATE_TYPES.get(len(text), vocab.XSD_DATE))
    return ox.Literal(str(value))


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class _Triples:
    """The pulled graph under construction."""

    def __init__(self, builder: GraphBuilder) -> None:
        self.builder = builder
        self.relations: Counter[str] = Counter()

    def add(self, subject: str, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal) -> None:
        self.builder.add(ox.NamedNode(subject), predicate, obj)

    def link(self, subject: str, predicate: ox.NamedNode, obj: str) -> None:
        self.add(subject, predicate, ox.NamedNode(obj))

    def literals(self, subject: str, props: dict[str, Any], table: tuple[schema.Literal, ...]):
        for spec in table:
            for value in _values(props.get(spec.name)):
                self.add(subject, ox.NamedNode(spec.predicate), _term(value, spec.datatype))


def pulled_quads(
    driver: neo4j.Driver, settings: Neo4jSettings, builder: GraphBuilder
) -> Counter[str]:
    """Add the mirror's triples to `builder`; returns the relations per class."""
    out = _Triples(builder)
    for row in run(driver, settings, _SOURCES):
        if row["name"]:
            out.add(row["iri"], vocab.NAME, ox.Literal(row["name"]))
            out.add(row["iri"], vocab.LABEL, ox.Literal(row["name"]))
    for row in run(driver, settings, _RECORDS):
        record = row["properties"]
        out.link(record["iri"], vocab.TYPE, vocab.CLASS["SourceRecord"].value)
        out.link(record["iri"], vocab.HAD_PRIMARY_SOURCE, record["source"])
        out.add(record["iri"], vocab.ROW, literal(int(record["row"])))
        if record.get("citation"):
            out.add(record["iri"], vocab.CITATION, ox.Literal(record["citation"]))
    for row in run(driver, settings, _ENTITIES):
        _entity(out, row["properties"], row["labels"])
    seen: set[str] = set()
    for row in run(driver, settings, _RELATIONSHIPS, types=list(schema.RELATION_TYPES)):
        _relationship(out, row, seen)
    return out.relations


def _entity(out: _Triples, props: dict[str, Any], labels: list[str]) -> None:
    iri = props["iri"]
    for label in labels:
        if label in schema.ENTITY_LABELS:
            out.link(iri, vocab.TYPE, vocab.CLASS[label].value)
    out.literals(iri, props, schema.ENTITY_LITERALS)
    if "Country" in labels:
        for code in _values(props.get("iso2")):
            out.add(iri, vocab.WDT_ISO2, ox.Literal(code))


_STRUCTURE_PREDICATES = {kind: predicate for predicate, kind, _, _ in schema.STRUCTURE}


def _relationship(out: _Triples, row: dict[str, Any], seen: set[str]) -> None:
    kind, props = row["type"], row["properties"]
    if kind in _STRUCTURE_PREDICATES:
        out.link(row["start"], ox.NamedNode(_STRUCTURE_PREDICATES[kind]), row["end"])
        if kind == "IN_COUNTRY":
            out.link(row["start"], vocab.WDT_COUNTRY, row["end"])
        return
    node = props["iri"]
    if node in seen:  # a contact's second leg
        return
    seen.add(node)
    relation = schema.CLASS_OF_TYPE[kind]
    classes = ("Contact", "Funding") if relation == "Funding" else (relation,)
    out.relations[classes[0]] += 1
    for class_name in classes:
        out.link(node, vocab.TYPE, vocab.CLASS[class_name].value)
    for record in _values(props.get("derivedFrom")):
        out.link(node, vocab.WAS_DERIVED_FROM, record)
    out.literals(node, props, schema.RELATION_LITERALS)
    if props.get("status") is not None:
        for status in _values(props["status"]):
            out.link(node, vocab.STATUS, vocab.status_iri(status).value)
    if kind == "TWINNED_WITH":
        _twinning(out, node, row["start"], row["end"], props)
    elif kind == "MEMBER_OF":
        out.link(node, vocab.TYPE, vocab.ORG_MEMBERSHIP.value)
        out.link(node, vocab.ORG_MEMBER, row["start"])
        out.link(node, vocab.ORG_ORGANIZATION, row["end"])
        out.link(row["start"], vocab.WDT_MEMBER_OF, row["end"])
    elif relation in ("Contact", "Funding"):
        _contact(out, node, props)
    else:
        _tie(out, node, relation, row["start"], row["end"], props)


def _twinning(out: _Triples, node: str, a: str, b: str, props: dict[str, Any]) -> None:
    out.link(node, vocab.KIND, vocab.KIND_SCHEME + props["kind"])
    wikidata = props["kind"] == "partnership"
    for one, other in ((a, b), (b, a)):
        out.link(one, vocab.TWINNED_WITH, other)
        out.link(node, vocab.PARTNER, one)
        if wikidata:
            out.link(one, vocab.WDT_P190, other)
            out.link(one, vocab.P_P190, node)
            out.link(node, vocab.PS_P190, one)
    if wikidata:
        for name, qualifier in (("since", vocab.PQ_START), ("until", vocab.PQ_END)):
            for value in _values(props.get(name)):
                out.add(node, qualifier, _term(value, "date"))


def _contact(out: _Triples, node: str, props: dict[str, Any]) -> None:
    out.link(node, vocab.CONTACT_KIND, vocab.CONTACT_KIND_SCHEME + props["contactKind"])
    party, body, via = props["from"], props["to"], props.get("via")
    programme = props.get("programme")
    out.link(node, vocab.FROM, party)
    out.link(node, vocab.TO, body)
    if via is None:
        out.link(party, vocab.REACHES, body)
    else:
        out.link(node, vocab.VIA, via)
        out.link(party, vocab.REACHES, via)
        out.link(via, vocab.REACHES, body)
    if programme is not None:
        out.link(node, vocab.PROGRAMME, programme)
    if props["contactKind"] == "funding":
        out.link(party, vocab.FUNDED_BY, programme if programme is not None else body)


def _tie(
    out: _Triples, node: str, relation: str, start: str, end: str, props: dict[str, Any]
) -> None:
    shape = schema.RELATIONS[relation]
    out.link(node, vocab.TIE_KIND, vocab.TIE_KIND_SCHEME + props["tieKind"])
    out.link(node, ox.NamedNode(shape.start), start)
    out.link(node, ox.NamedNode(shape.end), end)
    out.link(start, ox.NamedNode(shape.shortcut), end)
    if relation == "Cooperation":
        out.link(end, ox.NamedNode(shape.shortcut), start)


def pull(store: GraphStore, driver: neo4j.Driver, settings: Neo4jSettings) -> WriteResult:
    """Write the Neo4j graph into `store` as the source `neo4j <uri> <database>`."""
    name = f"neo4j {settings.uri} {settings.database or 'default'}"
    placeholder = SourceDescription(name, settings.uri, "0" * 64, date.today(), 0, "neo4j")
    builder = GraphBuilder(placeholder.graph, placeholder, date.today())
    relations = pulled_quads(driver, settings, builder)
    triples = sorted({str(ox.Triple(q.subject, q.predicate, q.object)) for q in builder.quads})
    checksum = hashlib.sha256("\n".join(triples).encode()).hexdigest()
    source = SourceDescription(
        name, settings.uri, checksum, date.today(), sum(relations.values()), "neo4j"
    )
    graph = source.graph
    quads = list(
        dict.fromkeys(ox.Quad(q.subject, q.predicate, q.object, graph) for q in builder.quads)
    )
    return write_source(store, source, SourceGraph(quads, dict(relations)))
