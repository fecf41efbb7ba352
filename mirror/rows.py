"""The RDF store read as property-graph rows (nodes and relationships of the mirror schema).

One pass over the quads of the visible source graphs, grouped by subject; each subject is
an entity, a relation node, a source record or a source, by its rdf:type. No Neo4j here:
`push.py` sends these rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..graph import vocab
from ..graph.store import GraphStore, to_python
from . import schema

Properties = dict[str, Any]


@dataclass
class MirrorRows:
    """Everything the mirror holds, as rows ready for `UNWIND $rows`."""

    entities: dict[tuple[str, ...], list[Properties]] = field(default_factory=dict)
    relationships: dict[str, list[Properties]] = field(default_factory=dict)
    sources: list[Properties] = field(default_factory=list)
    records: list[Properties] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type, as Neo4j should count them."""
        counts: dict[str, int] = defaultdict(int)
        for labels, rows in self.entities.items():
            counts[schema.ENTITY] += len(rows)
            for label in labels:
                counts[label] += len(rows)
        for kind, rows in self.relationships.items():
            counts[kind] += len(rows)
        counts[schema.SOURCE] = len(self.sources)
        counts[schema.RECORD] = counts[schema.RECORD_OF] = len(self.records)
        return dict(counts)

    @property
    def size(self) -> int:
        return (
            sum(len(rows) for rows in self.entities.values())
            + sum(len(rows) for rows in self.relationships.values())
            + len(self.sources)
            + len(self.records)
        )


def _value(term: Any) -> Any:
    return to_python(term)


def _literals(statements: dict[str, list[Any]], table: tuple[schema.Literal, ...]) -> Properties:
    """The literal properties of one subject; several values (sources that disagree, or a
    property that takes many) become a sorted list."""
    properties: Properties = {}
    for spec in table:
        values = statements.get(spec.predicate)
        if not values:
            continue
        plain = sorted({_value(v) for v in values}, key=lambda v: (str(type(v)), v))
        properties[spec.name] = plain if spec.many or len(plain) > 1 else plain[0]
    return properties


def _concept(statements: dict[str, list[Any]], predicate: str, scheme: str) -> Any:
    keys = sorted({term.value.removeprefix(scheme) for term in statements.get(predicate, [])})
    if not keys:
        return None
    return keys[0] if len(keys) == 1 else keys


def read_rows(store: GraphStore) -> MirrorRows:
    """The store's entities, relations, records and sources as mirror rows.

    Complexity: one pass over the visible quads, O(Q) time and memory.
    """
    subjects: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    graph_of_source: dict[str, str] = {}
    ontology = vocab.ONTOLOGY_GRAPH
    for quad in store.quads():
        if quad.graph_name.value == ontology:
            continue
        statements = subjects[quad.subject.value]
        statements[quad.predicate.value].append(quad.object)
        if quad.predicate == vocab.TYPE and quad.object == vocab.CLASS["Source"]:
            graph_of_source[quad.subject.value] = quad.graph_name.value

    rows = MirrorRows()
    records: dict[str, Properties] = {}
    relation_nodes: list[tuple[str, str, dict[str, list[Any]]]] = []
    classes = {vocab.CLASS[name].value: name for name in vocab.CLASS}
    for iri, statements in subjects.items():
        types = {classes.get(t.value) for t in statements.get(vocab.TYPE.value, [])}
        if "Source" in types:
            rows.sources.append(_source(iri, statements, graph_of_source[iri]))
        elif "SourceRecord" in types:
            records[iri] = _record(iri, statements)
        elif relation := next((n for n in schema.RELATIONS if n in types and n != "Contact"), None):
            relation_nodes.append((iri, relation, statements))
        elif "Contact" in types:
            relation_nodes.append((iri, "Contact", statements))
        elif labels := tuple(label for label in schema.ENTITY_LABELS if label in types):
            rows.entities.setdefault(labels, []).append(_entity(iri, statements))
            _structure(rows, iri, statements)
    rows.records = sorted(records.values(), key=lambda r: r["iri"])
    names = {source["iri"]: source["name"] for source in rows.sources}
    for iri, relation, statements in relation_nodes:
        for row in _relationships(iri, relation, statements, records, names):
            rows.relationships.setdefault(schema.RELATIONS[relation].type, []).append(row)
    return rows


def _source(iri: str, statements: dict[str, list[Any]], graph: str) -> Properties:
    def one(term: ox.NamedNode) -> Any:
        values = statements.get(term.value)
        return _value(values[0]) if values else None

    return {
        "iri": iri,
        "name": one(vocab.NAME),
        "file": one(vocab.FILE),
        "sha256": one(vocab.SHA256),
        "retrieved": one(vocab.RETRIEVED),
        "rowCount": one(vocab.ROW_COUNT),
        "format": one(vocab.FORMAT),
        "graph": graph,
    }


def _record(iri: str, statements: dict[str, list[Any]]) -> Properties:
    row = {
        "iri": iri,
        "source": statements[vocab.HAD_PRIMARY_SOURCE.value][0].value,
        "row": _value(statements[vocab.ROW.value][0]),
    }
    citations = statements.get(vocab.CITATION.value)
    if citations:
        row["citation"] = _value(citations[0])
    return {"iri": iri, "source": row["source"], "properties": row}


def _entity(iri: str, statements: dict[str, list[Any]]) -> Properties:
    properties = {"iri": iri, **_literals(statements, schema.ENTITY_LITERALS)}
    return {"iri": iri, "properties": properties}


def _structure(rows: MirrorRows, iri: str, statements: dict[str, list[Any]]) -> None:
    for predicate, kind, layer, prefixed in schema.STRUCTURE:
        for target in {term.value for term in statements.get(predicate, [])}:
            properties: Properties = {"id": f"{iri}|{prefixed}|{target}"}
            if layer is not None:
                properties |= {"layer": layer, "kind": schema.STRUCTURE_KINDS[kind]}
            rows.relationships.setdefault(kind, []).append(
                {"id": properties["id"], "start": iri, "end": target, "properties": properties}
            )


def _relationships(
    iri: str,
    relation: str,
    statements: dict[str, list[Any]],
    records: dict[str, Properties],
    source_names: dict[str, str],
) -> list[Properties]:
    shape = schema.RELATIONS[relation]
    properties: Properties = {"iri": iri, "layer": shape.layer}
    properties |= _literals(statements, schema.RELATION_LITERALS)
    for predicate, (name, scheme) in schema.CONCEPTS.items():
        value = _concept(statements, predicate, scheme)
        if value is not None:
            properties[name] = value
    derived = sorted({term.value for term in statements.get(vocab.WAS_DERIVED_FROM.value, [])})
    properties["derivedFrom"] = derived
    properties |= _evidence(derived, records, source_names)
    # `kind` as the projection's edges name it, whatever the relation.
    if relation == "Membership":
        properties["kind"] = "membership"
    elif shape.layer == "tie":
        properties["kind"] = properties.get("tieKind")
    if shape.layer == "contact":
        return _contact_legs(iri, statements, properties)
    if relation == "Twinning":
        start, end = sorted({term.value for term in statements[shape.start]})
    else:
        start, end = statements[shape.start][0].value, statements[shape.end][0].value
    properties["id"] = iri
    return [{"id": iri, "start": start, "end": end, "properties": properties}]


def _evidence(
    derived: list[str], records: dict[str, Properties], source_names: dict[str, str]
) -> Properties:
    """The first record's source, row and citation, as the projection's edges show them."""
    found = [records[r]["properties"] for r in derived if r in records]
    if not found:
        return {}
    first = min(found, key=lambda r: (r["row"], r["iri"]))
    evidence = {"source": source_names.get(first["source"]), "row": first["row"]}
    citation = next((r["citation"] for r in found if r.get("citation")), None)
    if citation:
        evidence["citation"] = citation
    return evidence


def _contact_legs(
    iri: str, statements: dict[str, list[Any]], properties: Properties
) -> list[Properties]:
    """One relationship per leg, as the projection has it: party → intermediary → body when
    the contact went through an association or a programme other than the body itself."""
    parties = {
        name: statements[predicate][0].value
        for predicate, name in schema.CONTACT_PARTIES.items()
        if statements.get(predicate)
    }
    properties = properties | parties
    party, body = parties["from"], parties["to"]
    programme = parties.get("programme")
    intermediary = parties.get("via") or (programme if programme != body else None)
    properties["kind"] = properties.get("contactKind")
    if intermediary is None:
        return [{"id": iri, "start": party, "end": body, "properties": {**properties, "id": iri}}]
    second = f"{iri}#2"
    return [
        {"id": iri, "start": party, "end": intermediary, "properties": {**properties, "id": iri}},
        {
            "id": second,
            "start": intermediary,
            "end": body,
            "properties": {**properties, "id": second},
        },
    ]
