"""The property-graph schema of the Neo4j mirror: which RDF class becomes which label, which
relation which relationship type, which RDF property which Neo4j property.

The tables here are the whitelist every Cypher statement takes its labels and types from;
data only ever travels as parameters.

Nodes: every entity is `:Entity` plus its class labels (`City`, `Region`, `Country`, …),
keyed by `iri`. Each ingested file is a `:Source` node (key `iri`, with its named graph), each
row a `:SourceRecord` (key `iri`, `row`, `citation`) linked `-[:RECORD_OF]->` to its source.

Relationships: each n-ary relation node becomes one relationship (two for a contact made
through an intermediary: party → intermediary → body, as in the projection) keyed by `id`
(the relation's IRI, `#2` appended for a contact's second leg) and carrying `iri`, `layer`,
the relation's attributes, `derivedFrom` (its source records) and, for reading at a glance,
the evidence the projection shows (`source`, `row`, `citation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import vocab

ENTITY = "Entity"
SOURCE = "Source"
RECORD = "SourceRecord"
RECORD_OF = "RECORD_OF"

# Entity labels are the RDF class names (cd:Region nodes are cd:City too, and carry both).
ENTITY_LABELS: tuple[str, ...] = vocab.ENTITY_CLASSES


@dataclass(frozen=True)
class Literal:
    """An RDF datatype property mirrored as a Neo4j property."""

    predicate: str
    name: str
    datatype: str  # string | integer | decimal | date (xsd:gYear, gYearMonth or date)
    many: bool = False


@dataclass(frozen=True)
class RelationShape:
    """How one relation class becomes a relationship: its type, layer, and the RDF
    properties naming the start and end (the party that acts, the one acted on)."""

    type: str
    layer: str
    start: str
    end: str
    shortcut: str | None = None


ENTITY_LITERALS: tuple[Literal, ...] = (
    Literal(vocab.LABEL.value, "label", "string"),
    Literal(vocab.NAME.value, "name", "string"),
    Literal(vocab.ALTERNATE_NAME.value, "alternateNames", "string", many=True),
    Literal(vocab.QID.value, "qid", "string"),
    Literal(vocab.SAME_AS.value, "sameAs", "iri", many=True),
    Literal(vocab.GEONAMES_ID.value, "geonamesId", "integer"),
    Literal(vocab.LAT.value, "lat", "decimal"),
    Literal(vocab.LONG.value, "long", "decimal"),
    Literal(vocab.POPULATION.value, "population", "integer"),
    Literal(vocab.RESOLUTION.value, "resolution", "string"),
    Literal(vocab.ISO2.value, "iso2", "string"),
    Literal(vocab.CRITICAL.value, "critical", "string"),
    Literal(vocab.FOUNDED.value, "founded", "date"),
    Literal(vocab.DESCRIPTION.value, "description", "string"),
)

# Entity → entity statements that are not relation nodes: (predicate, type, layer or None).
STRUCTURE: tuple[tuple[str, str, str | None, str], ...] = (
    (vocab.COUNTRY.value, "IN_COUNTRY", None, "cd:country"),
    (vocab.LOCATED_IN.value, "LOCATED_IN", "tie", "cd:locatedIn"),
    (vocab.SUB_ORGANIZATION_OF.value, "PART_OF", "contact", "org:subOrganizationOf"),
)
STRUCTURE_KINDS = {"LOCATED_IN": "located in", "PART_OF": "part of"}

RELATION_LITERALS: tuple[Literal, ...] = (
    Literal(vocab.SINCE.value, "since", "date"),
    Literal(vocab.UNTIL.value, "until", "date"),
    Literal(vocab.ROLE.value, "role", "string"),
    Literal(vocab.OBSERVED_IN.value, "observedIn", "date", many=True),
    Literal(vocab.AMOUNT.value, "amount", "decimal"),
    Literal(vocab.CURRENCY.value, "currency", "string"),
    Literal(vocab.DESCRIPTION.value, "description", "string"),
    Literal(vocab.SHARE.value, "share", "decimal"),
    Literal(vocab.DOMAIN.value, "domain", "string"),
)

# SKOS-valued properties, kept as the concept's key ("partnership", "active", "funding").
CONCEPTS: dict[str, tuple[str, str]] = {
    vocab.KIND.value: ("kind", vocab.KIND_SCHEME),
    vocab.STATUS.value: ("status", vocab.STATUS_SCHEME),
    vocab.CONTACT_KIND.value: ("contactKind", vocab.CONTACT_KIND_SCHEME),
    vocab.TIE_KIND.value: ("tieKind", vocab.TIE_KIND_SCHEME),
}

# A contact's parties, kept as IRIs on each of its legs so `pull` can rebuild the node.
CONTACT_PARTIES: dict[str, str] = {
    vocab.FROM.value: "from",
    vocab.TO.value: "to",
    vocab.VIA.value: "via",
    vocab.PROGRAMME.value: "programme",
}

RELATIONS: dict[str, RelationShape] = {
    "Twinning": RelationShape("TWINNED_WITH", "twinning", vocab.PARTNER.value, vocab.PARTNER.value),
    "Membership": RelationShape(
        "MEMBER_OF", "membership", vocab.ORG_MEMBER.value, vocab.ORG_ORGANIZATION.value
    ),
    "Contact": RelationShape("CONTACT_OF", "contact", vocab.FROM.value, vocab.TO.value),
    "Funding": RelationShape("FUNDED_BY", "contact", vocab.FROM.value, vocab.TO.value),
    "Stake": RelationShape(
        "OWNS_STAKE_IN", "tie", vocab.OWNER.value, vocab.ASSET.value, vocab.OWNS_STAKE_IN.value
    ),
    "Investment": RelationShape(
        "INVESTS_IN", "tie", vocab.INVESTOR.value, vocab.INVESTEE.value, vocab.INVESTS_IN.value
    ),
    "Cooperation": RelationShape(
        "COOPERATES_WITH",
        "tie",
        vocab.PARTICIPANT.value,
        vocab.VENDOR.value,
        vocab.COOPERATES_WITH.value,
    ),
    "Control": RelationShape(
        "CONTROLLED_BY",
        "tie",
        vocab.CONTROLLED.value,
        vocab.CONTROLLER.value,
        vocab.CONTROLLED_BY.value,
    ),
}

RELATION_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys([shape.type for shape in RELATIONS.values()] + [row[1] for row in STRUCTURE])
)
CLASS_OF_TYPE = {shape.type: name for name, shape in RELATIONS.items()}

# Relationship types per projection layer (what `--layers` filters on).
LAYER_TYPES: dict[str, tuple[str, ...]] = {
    layer: tuple(
        [s.type for s in RELATIONS.values() if s.layer == layer]
        + [row[1] for row in STRUCTURE if row[2] == layer]
    )
    for layer in ("twinning", "membership", "contact", "tie")
}

# Triples `pull` rebuilds from the relations rather than reading them (see pull.py), and
# the ones an entity's other properties imply.
DERIVED_PREDICATES = frozenset(
    {
        vocab.TWINNED_WITH.value,
        vocab.WDT_P190.value,
        vocab.P_P190.value,
        vocab.WDT_MEMBER_OF.value,
        vocab.REACHES.value,
        vocab.FUNDED_BY.value,
        vocab.OWNS_STAKE_IN.value,
        vocab.INVESTS_IN.value,
        vocab.COOPERATES_WITH.value,
        vocab.CONTROLLED_BY.value,
        vocab.WDT_COUNTRY.value,
        vocab.WDT_ISO2.value,
    }
)


def constraint_statements() -> list[str]:
    """Uniqueness constraints, created before loading so every MERGE is an index lookup.

    Labels and types come from the tables above, never from data.
    """
    statements = [
        f"CREATE CONSTRAINT citydiplo_{label.casefold()}_iri IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.iri IS UNIQUE"
        for label in (ENTITY, SOURCE, RECORD)
    ]
    statements += [
        f"CREATE CONSTRAINT citydiplo_{kind.casefold()}_id IF NOT EXISTS "
        f"FOR ()-[r:{kind}]-() REQUIRE r.id IS UNIQUE"
        for kind in RELATION_TYPES
    ]
    return statements


def node_statement(labels: tuple[str, ...]) -> str:
    """MERGE a batch of entities that share these class labels."""
    unknown = set(labels) - set(ENTITY_LABELS)
    if unknown:
        raise ValueError(f"not an entity label: {sorted(unknown)}")
    extra = "".join(f":{label}" for label in labels)
    set_labels = f" SET n{extra}" if extra else ""
    return (
        f"UNWIND $rows AS row MERGE (n:{ENTITY} {{iri: row.iri}}) "
        f"SET n = row.properties{set_labels}"
    )


def relationship_statement(kind: str) -> str:
    """MERGE a batch of relationships of one type between existing entities."""
    if kind not in RELATION_TYPES:
        raise ValueError(f"not a relationship type: {kind}")
    return (
        f"UNWIND $rows AS row MATCH (a:{ENTITY} {{iri: row.start}}) "
        f"MATCH (b:{ENTITY} {{iri: row.end}}) "
        f"MERGE (a)-[r:{kind} {{id: row.id}}]->(b) SET r = row.properties"
    )


SOURCE_STATEMENT = f"UNWIND $rows AS row MERGE (s:{SOURCE} {{iri: row.iri}}) SET s = row.properties"
RECORD_STATEMENT = (
    f"UNWIND $rows AS row MERGE (r:{RECORD} {{iri: row.iri}}) SET r = row.properties "
    f"WITH r, row MATCH (s:{SOURCE} {{iri: row.source}}) MERGE (r)-[:{RECORD_OF}]->(s)"
)
