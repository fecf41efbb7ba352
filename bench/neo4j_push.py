"""`citydiplo neo4j push` of the combined shared data against a naive loader, in one run.

    .venv/bin/python bench/neo4j_push.py [--naive-seconds 60] [--store DIR]

Builds one store from the 2026 twin cities, the 2016 Wikidata P190 snapshot and ClimActor
under bench/results/neo4j-store (reused only when it holds exactly these three sources,
rebuilt otherwise; `--store` names an already built one), starts the test Neo4j
(tests/neo4j-server, build it with `make neo4j-server`), then:

- citydiplo: reading the store (`read_rows`, once) plus `push(..., wipe_first=True)` into
  the wiped database: constraints, `UNWIND $rows` batches of 10,000 CREATEd; time and the
  peak RSS. Twice: on the cold server just started, and again (wiped first, untimed) on the
  warm server, as the naive loader runs on it; the ratio uses the warm push;
- a check that Neo4j then counts, per label and type, what the store holds (entities and
  relations per class as `citydiplo stats` counts them, sources, records): it stops the
  bench otherwise;
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
import os
import resource
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_neo4j import launch, stop  # noqa: E402

from citydiplo.graph import vocab  # noqa: E402
from citydiplo.graph.store import open_store  # noqa: E402
from citydiplo.mirror import schema  # noqa: E402
from citydiplo.mirror.connection import connect, resolve_settings  # noqa: E402
from citydiplo.mirror.push import push, wipe  # noqa: E402
from citydiplo.mirror.rows import read_rows  # noqa: E402

from conftest import CLIMACTOR, TWIN_CITIES_2026, WIKIDATA_2016, run_cli  # noqa: E402

GOAL = 20.0
STORE = BENCH / "results" / "neo4j-store"


INGESTS = (
    ("partnerships", TWIN_CITIES_2026),
    ("partnerships", WIKIDATA_2016),
    ("memberships", CLIMACTOR),
)


def build_store() -> None:
    """The combined store; one left by an older or interrupted run (fewer sources: the
    11,534-entity figures once reported came from one without ClimActor) is rebuilt."""
    if (STORE / "CURRENT").is_file():
        with open_store(STORE) as store:
            if len(store.source_versions()) == len(INGESTS):
                return
        shutil.rmtree(STORE)
    STORE.parent.mkdir(parents=True, exist_ok=True)
    for kind, data in INGESTS:
        # cwd: the review file of the ClimActor ingest lands beside the store, not in the repo.
        result = run_cli("ingest", kind, data, "--store", STORE, cwd=STORE.parent)
        if result.returncode != 0:
            raise SystemExit(f"ingest of {data} failed: {result.stderr}")


def store_counts(store) -> dict[str, int]:
    """What the store holds, counted by SPARQL as `citydiplo stats` counts it, under the
    mirror's names: entity classes as labels, relation classes as relationship types."""
    by_class = {
        row["class"].removeprefix(vocab.NS): row["n"]
        for row in store.select(
            """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
                 ?s a ?class . FILTER STRSTARTS(STR(?class), STR(cd:))
               } GROUP BY ?class"""
        )
    }
    expected = {label: by_class.get(label, 0) for label in schema.ENTITY_LABELS}
    classes = " ".join(f"cd:{label}" for label in schema.ENTITY_LABELS)  # a fixed table
    expected[schema.ENTITY] = store.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?class {{ {classes} }} ?s a ?class }}"
    )[0]["n"]
    for name, shape in schema.RELATIONS.items():
        if name != "Contact":  # a contact through an intermediary is two relationships
            expected[shape.type] = by_class.get(name, 0)
    expected[schema.SOURCE] = by_class.get("Source", 0)
    expected[schema.RECORD] = expected[schema.RECORD_OF] = by_class.get("SourceRecord", 0)
    return {name: n for name, n in expected.items() if n}


def check_counts(expected: dict[str, int], found: dict[str, int]) -> None:
    wrong = {
        name: (n, found.get(name, 0)) for name, n in expected.items() if found.get(name, 0) != n
    }
    if wrong:
        raise SystemExit(f"Neo4j does not hold what the store does: (store, neo4j) {wrong}")


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


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
    global STORE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--naive-seconds", type=float, default=60.0)
    parser.add_argument("--store", type=Path, help="an already built combined store")
    options = parser.parse_args()
    if options.store is not None:
        STORE = options.store
    else:
        build_store()
    load_before = load_average()
    process, server = launch()
    try:
        settings = resolve_settings(uri=server.uri)
        with open_store(STORE) as store, connect(settings) as driver:
            expected = store_counts(store)
            start = time.perf_counter()
            rows = read_rows(store)
            read_seconds = time.perf_counter() - start
            check_counts(expected, rows.counts())
            start = time.perf_counter()
            push(store, driver, settings, wipe_first=True, rows=rows)
            cold = time.perf_counter() - start
            wipe(driver, settings)
            start = time.perf_counter()
            result = push(store, driver, settings, wipe_first=True, rows=rows)
            warm = time.perf_counter() - start
            memory = peak_rss_mib()
            check_counts(expected, result.counts)
            check_counts(rows.counts(), result.counts)
            wipe(driver, settings)
            for name in schema.constraint_statements():
                constraint = name.split()[2]
                driver.execute_query(f"DROP CONSTRAINT {constraint} IF EXISTS")
            measured = naive(driver, settings, rows, options.naive_seconds)
    finally:
        stop(process)
    load_after = load_average()
    entities = sum(len(group) for group in rows.entities.values())
    relationships = sum(len(group) for group in rows.relationships.values())
    ours, ours_cold = read_seconds + warm, read_seconds + cold
    extrapolated = sum(spent / sent * total for sent, total, spent in measured.values())
    complete = all(sent == total for sent, total, _ in measured.values())
    ratio = extrapolated / ours
    figures = {
        "store": str(STORE),
        "entities": entities,
        "relationships": relationships,
        "records": len(rows.records),
        "sources": len(rows.sources),
        "read_seconds": round(read_seconds, 1),
        "push_seconds_warm": round(warm, 1),
        "push_seconds_cold": round(cold, 1),
        "total_seconds": round(ours, 1),
        "total_seconds_cold": round(ours_cold, 1),
        "peak_rss_mib": round(memory),
        "naive_phases": {
            phase: {"sent": sent, "of": total, "seconds": round(spent, 1)}
            for phase, (sent, total, spent) in measured.items()
        },
        "naive_seconds": round(extrapolated),
        "naive_extrapolated": not complete,
        "ratio": round(ratio, 1),
        "ratio_cold": round(extrapolated / ours_cold, 1),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "counts": result.counts,
        "counts_match_store": True,
    }
    print(
        f"{entities:,} entities, {relationships:,} relationships, {len(rows.records):,} "
        f"source records, {len(rows.sources)} sources; Neo4j counts equal the store's"
    )
    print(
        f"citydiplo: reading the store {read_seconds:.1f} s + push {warm:.1f} s "
        f"= {ours:.1f} s (first push on the cold server {cold:.1f} s: {ours_cold:.1f} s), "
        f"peak RSS {memory:.0f} MiB"
    )
    for phase, (sent, total, spent) in measured.items():
        print(f"naive {phase}: {sent:,} of {total:,} statements in {spent:.0f} s")
    how = "extrapolated to everything" if not complete else "measured"
    print(f"naive, {how}: {extrapolated:.0f} s")
    met = "met" if ratio >= GOAL else "MISSED"
    print(
        f"ratio {ratio:.1f}x (cold server {extrapolated / ours_cold:.1f}x; "
        f"goal >= {GOAL:.0f}x: {met})"
    )
    print(f"load average before {load_before}, after {load_after}")
    (BENCH / "results" / "neo4j_push.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
