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

BATCH = 5_000
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
) -> PushResult:
    """Mirror the store into the database; returns the mirror's counts as Neo4j has them.

    Complexity: O(N + R) rows in batches of 5,000, each MERGE an index lookup thanks to the
    uniqueness constraints created first.
    """
    rows = read_rows(store)
    if wipe_first:
        wipe(driver, settings)
    for statement in schema.constraint_statements():
        run(driver, settings, statement)
    total, done = rows.size, 0

    def send(statement: str, batch: Sequence[Any]) -> None:
        nonlocal done
        run(driver, settings, statement, rows=list(batch))
        done += len(batch)
        if progress is not None:
            progress(done, total)

    for batch in _batches(rows.sources):
        send(schema.SOURCE_STATEMENT, [{"iri": s["iri"], "properties": s} for s in batch])
    for batch in _batches(rows.records):
        send(schema.RECORD_STATEMENT, batch)
    for labels, entities in sorted(rows.entities.items()):
        for batch in _batches(entities):
            send(schema.node_statement(labels), batch)
    for kind, relationships in sorted(rows.relationships.items()):
        for batch in _batches(relationships):
            send(schema.relationship_statement(kind), batch)
    removed = 0 if wipe_first else _remove_stale(driver, settings, rows)
    return PushResult(counts(driver, settings), removed)


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
