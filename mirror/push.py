"""Push the store into Neo4j: constraints first, then `UNWIND $rows` batches, then remove what
the store no longer has. Pushing twice leaves the database as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j

from ..graph.store import GraphStore
from . import schema
from .connection import Neo4jSettings, run
from .rows import MirrorRows, read_rows

# Rows per `UNWIND $rows` statement, one managed transaction each; 10,000 measured best
# between 5,000 and 20,000 on the shared data (bench/neo4j_push.py).
BATCH = 10_000
# (rows done, rows in all) after each batch, for a progress bar.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PushResult:
    """What the database holds afterwards: nodes per label and relationships per type."""

    counts: dict[str, int]
    removed: int


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def wipe(driver: neo4j.Driver, settings: Neo4jSettings) -> None:
    """Delete every node and relationship of the database (in batches: large graphs)."""
    run(
        driver,
        settings,
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
        autocommit=True,
    )


def push(
    store: GraphStore,
    driver: neo4j.Driver,
    settings: Neo4jSettings,
    *,
    wipe_first: bool = False,
    progress: Progress | None = None,
    rows: MirrorRows | None = None,
) -> PushResult:
    """Mirror the store into the database; returns the mirror's counts as Neo4j has them.

    `rows` are the store's rows when the caller has read them already (`read_rows`).
    Into an empty mirror (wiped, or never pushed) nodes and relationships are CREATEd;
    otherwise MERGEd on their keys and the stale ones removed, so pushing twice leaves the
    database as it was.

    Complexity: O(N + R) rows in batches of 10,000, each key lookup an index lookup thanks
    to the uniqueness constraints created first.
    """
    if rows is None:
        rows = read_rows(store)
    if wipe_first:
        wipe(driver, settings)
    for statement in schema.constraint_statements():
        run(driver, settings, statement)
    fresh = wipe_first or _mirror_is_empty(driver, settings)
    total, done = rows.size, 0

    def send(statement: str, batch: Sequence[Any], **parameters: Any) -> None:
        nonlocal done
        run(driver, settings, statement, rows=list(batch), **parameters)
        done += len(batch)
        if progress is not None:
            progress(done, total)

    for batch in _batches(rows.sources):
        send(schema.SOURCE_STATEMENT, [{"iri": s["iri"], "properties": s} for s in batch])
    by_source: dict[str, list[Any]] = {}
    for record in rows.records:
        by_source.setdefault(record["source"], []).append(record["properties"])
    record_statement = _CREATE_RECORDS if fresh else _MERGE_RECORDS
    for source, records in sorted(by_source.items()):
        for batch in _batches(records):
            send(record_statement, batch, source=source)
    for labels, entities in sorted(rows.entities.items()):
        statement = _create_nodes(labels) if fresh else schema.node_statement(labels)
        for batch in _batches(entities):
            send(statement, batch)
    for kind, relationships in sorted(rows.relationships.items()):
        create = _create_relationships
        statement = create(kind) if fresh else schema.relationship_statement(kind)
        for batch in _batches(relationships):
            send(statement, batch)
    removed = 0 if fresh else _remove_stale(driver, settings, rows)
    return PushResult(counts(driver, settings), removed)


# Records in batches of one source: the source is matched once per batch, not per row.
_MERGE_RECORDS = (
    f"MATCH (s:{schema.SOURCE} {{iri: $source}}) UNWIND $rows AS row "
    f"MERGE (r:{schema.RECORD} {{iri: row.iri}}) SET r = row "
    f"MERGE (r)-[:{schema.RECORD_OF}]->(s)"
)
_CREATE_RECORDS = (
    f"MATCH (s:{schema.SOURCE} {{iri: $source}}) UNWIND $rows AS row "
    f"CREATE (r:{schema.RECORD})-[:{schema.RECORD_OF}]->(s) SET r = row"
)


def _create_nodes(labels: tuple[str, ...]) -> str:
    """CREATE a batch of entities that share these class labels (into an empty mirror)."""
    schema.node_statement(labels)  # the whitelist check
    extra = "".join(f":{label}" for label in labels)
    return f"UNWIND $rows AS row CREATE (n:{schema.ENTITY}{extra}) SET n = row.properties"


def _create_relationships(kind: str) -> str:
    """CREATE a batch of relationships of one type between entities (into an empty mirror)."""
    schema.relationship_statement(kind)  # the whitelist check
    return (
        f"UNWIND $rows AS row MATCH (a:{schema.ENTITY} {{iri: row.start}}) "
        f"MATCH (b:{schema.ENTITY} {{iri: row.end}}) "
        f"CREATE (a)-[r:{kind}]->(b) SET r = row.properties"
    )


def _mirror_is_empty(driver: neo4j.Driver, settings: Neo4jSettings) -> bool:
    """Whether the database holds no mirror node (never pushed to, or wiped)."""
    for label in (schema.ENTITY, schema.SOURCE, schema.RECORD):
        if run(driver, settings, f"MATCH (n:{label}) RETURN n LIMIT 1"):
            return False
    return True


def _remove_stale(driver: neo4j.Driver, settings: Neo4jSettings, rows: MirrorRows) -> int:
    """Delete mirror nodes and relationships the store no longer has (an updated source)."""
    removed = 0
    for kind in schema.RELATION_TYPES:
        keep = [row["id"] for row in rows.relationships.get(kind, [])]
        result = run(
            driver,
            settings,
            f"MATCH ()-[r:{kind}]->() WHERE NOT r.id IN $keep DELETE r RETURN count(*) AS n",
            keep=keep,
        )
        removed += result[0]["n"]
    keep_nodes = {
        schema.ENTITY: [row["iri"] for group in rows.entities.values() for row in group],
        schema.SOURCE: [row["iri"] for row in rows.sources],
        schema.RECORD: [row["iri"] for row in rows.records],
    }
    for label, keep in keep_nodes.items():
        result = run(
            driver,
            settings,
            f"MATCH (n:{label}) WHERE NOT n.iri IN $keep DETACH DELETE n RETURN count(*) AS n",
            keep=keep,
        )
        removed += result[0]["n"]
    return removed


def counts(driver: neo4j.Driver, settings: Neo4jSettings) -> dict[str, int]:
    """Nodes per mirror label and relationships per mirror type in the database."""
    found: dict[str, int] = {}
    for label in (schema.ENTITY, *schema.ENTITY_LABELS, schema.SOURCE, schema.RECORD):
        found[label] = run(driver, settings, f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]
    for kind in (*schema.RELATION_TYPES, schema.RECORD_OF):
        found[kind] = run(driver, settings, f"MATCH ()-[r:{kind}]->() RETURN count(r) AS n")[0]["n"]
    return {name: n for name, n in found.items() if n}
