"""`citydiplo neo4j push` of the combined shared data against a naive loader, in one run.

    .venv/bin/python bench/neo4j_push.py [--naive-seconds 60]

Builds one store from the 2026 twin cities, the 2016 Wikidata P190 snapshot and ClimActor
(or reuses it under bench/results/neo4j-store), starts the test Neo4j (tests/neo4j-server,
build it with `make neo4j-server`), then:

- citydiplo: reading the store plus `push(store, wipe_first=True)`: constraints,
  `UNWIND $rows` batches of 5,000, the sweep of stale items; time and the peak RSS;
- naive: the obvious loader of the same content, one auto-committed MERGE statement per
  source record, per entity and per relationship (`MERGE (a)-[r:TYPE {id}]->(b)`), no
  constraints, into a wiped database. It is time-capped (`--naive-seconds`, a third per
  phase): each phase's rate is extrapolated to all its statements, and printed so.

The ratio naive / citydiplo is printed beside the goal (≥ 20×). Results also go to
bench/results/neo4j_push.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_neo4j import launch, stop  # noqa: E402

from citydiplo.graph.store import open_store  # noqa: E402
from citydiplo.mirror import schema  # noqa: E402
from citydiplo.mirror.connection import connect, resolve_settings  # noqa: E402
from citydiplo.mirror.push import push, wipe  # noqa: E402
from citydiplo.mirror.rows import read_rows  # noqa: E402

from conftest import CLIMACTOR, TWIN_CITIES_2026, WIKIDATA_2016, run_cli  # noqa: E402

GOAL = 20.0
STORE = BENCH / "results" / "neo4j-store"


def build_store() -> None:
    if (STORE / "CURRENT").is_file():
        return
    for kind, data in (
        ("partnerships", TWIN_CITIES_2026),
        ("partnerships", WIKIDATA_2016),
        ("memberships", CLIMACTOR),
    ):
        result = run_cli("ingest", kind, data, "--store", STORE)
        if result.returncode != 0:
            raise SystemExit(f"ingest of {data} failed: {result.stderr}")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_statements(rows) -> dict[str, list[tuple[str, dict]]]:
    """The same content as the mirror, one statement per record, entity and relationship."""
    record = (
        f"MERGE (s:{schema.SOURCE} {{iri: $source}}) MERGE (r:{schema.RECORD} {{iri: $iri}}) "
        f"SET r = $properties MERGE (r)-[:{schema.RECORD_OF}]->(s)"
    )
    phases = {"records": [(record, row) for row in rows.records], "entities": []}
    for labels, entities in rows.entities.items():
        statement = schema.node_statement(labels).replace("UNWIND $rows AS row ", "")
        statement = statement.replace("row.", "$")
        phases["entities"] += [(statement, row) for row in entities]
    phases["relationships"] = [
        (
            f"MERGE (a:{schema.ENTITY} {{iri: $start}}) MERGE (b:{schema.ENTITY} {{iri: $end}}) "
            f"MERGE (a)-[r:{kind} {{id: $id}}]->(b) SET r = $properties",
            row,
        )
        for kind, relationships in rows.relationships.items()
        for row in relationships
    ]
    return phases


def naive(driver, settings, rows, seconds: float) -> dict[str, tuple[int, int, float]]:
    """Each phase's statements one by one, auto-committed, for `seconds` / 3 each:
    phase → (statements sent, statements in all, seconds spent)."""
    measured = {}
    with driver.session(database=settings.database) as session:
        for phase, statements in naive_statements(rows).items():
            sent, start = 0, time.perf_counter()
            for statement, parameters in statements:
                session.run(statement, parameters).consume()
                sent += 1
                if time.perf_counter() - start > seconds / 3:
                    break
            measured[phase] = (sent, len(statements), time.perf_counter() - start)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--naive-seconds", type=float, default=60.0)
    options = parser.parse_args()
    build_store()
    process, server = launch()
    try:
        settings = resolve_settings(uri=server.uri)
        with open_store(STORE) as store, connect(settings) as driver:
            start = time.perf_counter()
            rows = read_rows(store)
            read_seconds = time.perf_counter() - start
            entities = sum(len(group) for group in rows.entities.values())
            relationships = sum(len(group) for group in rows.relationships.values())
            start = time.perf_counter()
            result = push(store, driver, settings, wipe_first=True)
            ours = time.perf_counter() - start + read_seconds
            memory = peak_rss_mib()
            wipe(driver, settings)
            for name in schema.constraint_statements():
                constraint = name.split()[2]
                driver.execute_query(f"DROP CONSTRAINT {constraint} IF EXISTS")
            measured = naive(driver, settings, rows, options.naive_seconds)
    finally:
        stop(process)
    extrapolated = sum(spent / sent * total for sent, total, spent in measured.values())
    ratio = extrapolated / ours
    figures = {
        "entities": entities,
        "relationships": relationships,
        "records": len(rows.records),
        "push_seconds": round(ours, 1),
        "peak_rss_mib": round(memory),
        "naive_phases": {
            phase: {"sent": sent, "of": total, "seconds": round(spent, 1)}
            for phase, (sent, total, spent) in measured.items()
        },
        "naive_extrapolated_seconds": round(extrapolated),
        "ratio": round(ratio, 1),
        "counts": result.counts,
    }
    print(f"{entities:,} entities, {relationships:,} relationships, {len(rows.records):,} records")
    print(
        f"citydiplo push: {ours:.1f} s (reading the store {read_seconds:.1f} s), "
        f"peak RSS {memory:.0f} MiB"
    )
    for phase, (sent, total, spent) in measured.items():
        print(f"naive {phase}: {sent:,} of {total:,} statements in {spent:.0f} s")
    print(f"naive, extrapolated to everything: {extrapolated:.0f} s")
    met = "met" if ratio >= GOAL else "MISSED"
    print(f"ratio {ratio:.1f}x (goal >= {GOAL:.0f}x: {met})")
    (BENCH / "results" / "neo4j_push.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
