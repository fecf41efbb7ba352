"""The ingest of the whole ClimActor wide table (10,716 actors, 27,625 marks) into a fresh
store: wall time, CPU time and peak memory, against the same records put into an in-memory
rdflib Dataset.

    .venv/bin/python bench/climactor_ingest.py                 # 3 ingests per side
    .venv/bin/python bench/climactor_ingest.py --quick         # 1 ingest per side

The issue's goal is an absolute one: the whole file in at most 10 s on the dev machine, with
peak memory reported. Every ingest runs in a fresh subprocess (a fresh interpreter, so the
GeoNames index is built inside the measurement, as in a user's `citydiplo ingest memberships`);
the sides alternate, so load from other processes falls on both. The run fails if the two
sides store a different number of statements or find different member counts, since then the
timings would compare different work. The baseline is the one of `rdflib_baseline.py`, fed by
the membership parser instead of the partnership parser.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar

from ingest_and_query import IngestClock, cpu_seconds, machine, peak_rss_mib

BENCH_DIR = Path(__file__).resolve().parent
CLIMACTOR = (
    BENCH_DIR.parent.parent
    / "shared"
    / "data"
    / "climactor-2020"
    / "subnational_contextuals_database_initcols_Sept2020.csv"
)
RESULTS = BENCH_DIR / "results" / "climactor_ingest.json"
GOAL_SECONDS = 10.0
SIDES = ("citydiplo", "rdflib")
TOP = 10
PHASES = (
    "parse",
    "resolve: GeoNames index",
    "resolve: names",
    "build quads",
    "convert to rdflib",
    "add to Dataset",
    "write: bulk load + commit",
    "write: other",
    "other",
)

T = TypeVar("T")


class Clock(IngestClock):
    """The ingest clock, with resolution split into building the GeoNames index and names."""

    def phases(self, total: float) -> dict[str, float]:
        phases = dict(self.seconds)
        index = phases.get("resolve: GeoNames index", 0.0)
        phases["resolve: names"] = phases.pop("resolve", 0.0) - index
        phases["write: other"] = phases.pop("write") - phases["write: bulk load + commit"]
        phases["other"] = total - sum(phases.values())
        return phases


def top_networks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("name", "members", "cities", "regions")
    return [{key: row[key] for key in keep} for row in rows[:TOP]]


def measure_citydiplo() -> dict[str, Any]:
    """One ingest into a fresh store directory, then the member counts on it."""
    from citydiplo.graph.store import GraphStore, open_store
    from citydiplo.ingest import memberships, pipeline, places
    from citydiplo.ingest.memberships import ingest_memberships
    from citydiplo.queries.networks import network_members_counts

    rss_imports = peak_rss_mib()
    clock = Clock(
        (
            (memberships, "read_memberships", "parse"),
            (places, "gazetteer", "resolve: GeoNames index"),
            (pipeline, "source_graph_quads", "build quads"),
            (pipeline, "write_source", "write"),
            (GraphStore, "commit_graph", "write: bulk load + commit"),
        )
    )
    with tempfile.TemporaryDirectory(prefix="citydiplo-bench-") as tmp:
        store_dir = Path(tmp) / "store"
        with clock.instrumented():
            cpu_start, start = cpu_seconds(), perf_counter()
            summary = ingest_memberships(
                CLIMACTOR, store=store_dir, report_dir=tmp, track=clock.track
            )
            seconds = perf_counter() - start
            cpu = cpu_seconds() - cpu_start
        rss_ingest = peak_rss_mib()
        store_bytes = sum(f.stat().st_size for f in store_dir.iterdir() if f.is_file())
        with open_store(store_dir) as store:
            start = perf_counter()
            counts = network_members_counts(store)
            query_seconds = perf_counter() - start
            statements = len(store)
    return {
        "ingest_s": seconds,
        "ingest_cpu_s": cpu,
        "phases_s": clock.phases(seconds),
        "rows": summary.rows,
        "memberships": summary.relations.get("Membership", 0),
        "places": summary.places,
        "resolution": summary.resolution,
        "statements": statements,
        "store_mib": store_bytes / 2**20,
        "networks_query_s": query_seconds,
        "top": top_networks(counts),
        "rss_after_imports_mib": rss_imports,
        "peak_rss_after_ingest_mib": rss_ingest,
        "peak_rss_mib": peak_rss_mib(),
    }


def measure_rdflib() -> dict[str, Any]:
    """The same parse, resolution and statements, added to an in-memory rdflib Dataset."""
    import rdflib
    from rdflib_baseline import RdflibGraphStore, rdflib_term, statement_count

    from citydiplo.graph.builder import SourceDescription
    from citydiplo.graph.records import Place
    from citydiplo.graph.writer import ontology_quads, source_graph_quads, source_marker_quads
    from citydiplo.ingest import places
    from citydiplo.ingest.actors import ActorResolver
    from citydiplo.ingest.memberships import read_memberships
    from citydiplo.ingest.pipeline import default_source_name, parties_to_resolve
    from citydiplo.ingest.places import PlaceResolver
    from citydiplo.queries.networks import network_members_counts

    rss_imports = peak_rss_mib()
    clock = Clock()
    cpu_start, start = cpu_seconds(), perf_counter()
    parsed, checksum = clock.timed(read_memberships, "parse")(CLIMACTOR)
    description = SourceDescription(
        name=default_source_name(CLIMACTOR),
        file=str(CLIMACTOR.resolve()),
        sha256=checksum,
        retrieved=date.today(),
        row_count=parsed.row_count,
        format=parsed.format,
    )
    index_start = perf_counter()
    places.gazetteer()
    clock.add("resolve: GeoNames index", perf_counter() - index_start)
    names_start = perf_counter()
    # What the pipeline does on a fresh store: no known entities, registry actors.
    place_resolver, actor_resolver = PlaceResolver(str(CLIMACTOR), {}), ActorResolver({})
    resolved = {
        party: place_resolver.resolve(party, row)
        if isinstance(party, Place)
        else actor_resolver.resolve(party)
        for party, row in parties_to_resolve(parsed).items()
    }
    for details in actor_resolver.details:
        if details.located_in is not None and details.located_in not in resolved:
            resolved[details.located_in] = place_resolver.resolve(details.located_in, 0)
    parsed.actors.extend(actor_resolver.details)
    clock.add("resolve: names", perf_counter() - names_start)

    def build() -> list:
        data = source_graph_quads(description, parsed, resolved)
        return ontology_quads() + data.quads + source_marker_quads(description)

    quads = clock.timed(build, "build quads")()
    dataset = rdflib.Dataset(default_union=True)

    def convert() -> list:
        graphs: dict[Any, rdflib.Graph] = {}
        converted = []
        for quad in quads:
            graph = graphs.get(quad.graph_name)
            if graph is None:
                graph = graphs[quad.graph_name] = dataset.graph(rdflib_term(quad.graph_name))
            subject, predicate = rdflib_term(quad.subject), rdflib_term(quad.predicate)
            converted.append((subject, predicate, rdflib_term(quad.object), graph))
        return converted

    converted = clock.timed(convert, "convert to rdflib")()
    clock.timed(dataset.addN, "add to Dataset")(converted)
    seconds = perf_counter() - start
    cpu = cpu_seconds() - cpu_start
    rdflib_term.cache_clear()
    phases = clock.seconds
    phases["other"] = seconds - sum(phases.values())
    rss_ingest = peak_rss_mib()
    start = perf_counter()
    counts = network_members_counts(RdflibGraphStore(dataset))
    query_seconds = perf_counter() - start
    return {
        "ingest_s": seconds,
        "ingest_cpu_s": cpu,
        "phases_s": phases,
        "statements": statement_count(dataset),
        "networks_query_s": query_seconds,
        "top": top_networks(counts),
        "rss_after_imports_mib": rss_imports,
        "peak_rss_after_ingest_mib": rss_ingest,
        "peak_rss_mib": peak_rss_mib(),
    }


MEASURES = {"citydiplo": measure_citydiplo, "rdflib": measure_rdflib}


def run_worker(side: str) -> dict[str, Any]:
    """Measure one side in a fresh interpreter; its figures come back as JSON on stdout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", side]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {side} run failed (exit status {done.returncode}); see above")
    return json.loads(done.stdout.splitlines()[-1])


def check_same_work(runs: dict[str, list[dict[str, Any]]]) -> None:
    """Exit with status 1 if two runs stored different statements or counted other members."""
    expected = runs["citydiplo"][0]
    for side, side_runs in runs.items():
        for number, run in enumerate(side_runs, 1):
            if (run["statements"], run["top"]) != (expected["statements"], expected["top"]):
                print(json.dumps([expected["top"], run["top"]], indent=1), file=sys.stderr)
                raise SystemExit(
                    f"MISMATCH: citydiplo run 1 stored {expected['statements']:,} statements, "
                    f"{side} run {number} {run['statements']:,}, or their member counts differ"
                )


def summarise(side_runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs of one side (peak RSS: the largest)."""
    summary = dict(side_runs[0])
    for key in ("ingest_s", "ingest_cpu_s", "networks_query_s", "rss_after_imports_mib"):
        summary[key] = statistics.median(run[key] for run in side_runs)
    summary["ingest_runs_s"] = [run["ingest_s"] for run in side_runs]
    summary["phases_s"] = {
        phase: statistics.median(run["phases_s"][phase] for run in side_runs)
        for phase in PHASES
        if phase in side_runs[0]["phases_s"]
    }
    for key in ("peak_rss_after_ingest_mib", "peak_rss_mib"):
        summary[key] = max(run[key] for run in side_runs)
    return summary


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    ours, baseline = report["sides"]["citydiplo"], report["sides"]["rdflib"]
    reps = report["settings"]["repetitions"]
    met = "[green]met[/]" if report["goal_met"] else "[bold red]NOT MET[/]"
    table = Table(
        title="ClimActor 2020: ingest of the whole wide table into a fresh store",
        caption=f"{reps} fresh process(es) per side. citydiplo: pyoxigraph store on disk; "
        "baseline: the same records and statements in an rdflib.Dataset in memory",
    )
    table.add_column("", no_wrap=True)
    for header in ("citydiplo", "rdflib baseline", "baseline / citydiplo", "goal", ""):
        table.add_column(header, justify="right")
    ratio = baseline["ingest_s"] / ours["ingest_s"]
    table.add_row(
        f"ingest (median of {reps})",
        f"{ours['ingest_s']:.2f} s",
        f"{baseline['ingest_s']:.2f} s",
        f"{ratio:.2f}×",
        f"≤{GOAL_SECONDS:g} s",
        met,
    )
    table.add_row(
        "  CPU time of the ingest",
        f"{ours['ingest_cpu_s']:.2f} s",
        f"{baseline['ingest_cpu_s']:.2f} s",
        f"{baseline['ingest_cpu_s'] / ours['ingest_cpu_s']:.2f}×",
    )
    table.add_row(
        "peak RSS (max over runs)",
        f"{ours['peak_rss_mib']:.0f} MiB",
        f"{baseline['peak_rss_mib']:.0f} MiB",
        f"{baseline['peak_rss_mib'] / ours['peak_rss_mib']:.2f}×",
        "reported",
    )
    table.add_row(
        "  of which RSS after imports",
        f"{ours['rss_after_imports_mib']:.0f} MiB",
        f"{baseline['rss_after_imports_mib']:.0f} MiB",
    )
    table.add_row(
        "networks query (member counts)",
        f"{ours['networks_query_s'] * 1000:.0f} ms",
        f"{baseline['networks_query_s'] * 1000:.0f} ms",
        f"{baseline['networks_query_s'] / ours['networks_query_s']:.1f}×",
    )
    table.add_row("statements stored", f"{ours['statements']:,}", f"{baseline['statements']:,}")
    table.add_row(
        "rows / memberships / places",
        f"{ours['rows']:,} / {ours['memberships']:,} / {ours['places']:,}",
        "same records",
    )
    table.add_row("store on disk", f"{ours['store_mib']:.0f} MiB", "–")

    phases = Table(title=f"Where ingest time goes (median of {reps} per phase)")
    phases.add_column("phase")
    phases.add_column("citydiplo", justify="right")
    phases.add_column("rdflib baseline", justify="right")
    for phase in PHASES:
        cells = []
        for side in (ours, baseline):
            seconds = side["phases_s"].get(phase)
            share = f" ({seconds / side['ingest_s']:.0%})" if seconds is not None else ""
            cells.append("–" if seconds is None else f"{seconds:.2f} s{share}")
        phases.add_row(phase, *cells)
    phases.add_row(
        "total, end to end", f"{ours['ingest_s']:.2f} s", f"{baseline['ingest_s']:.2f} s"
    )

    top = Table(title=f"Top {TOP} networks by members (both sides)")
    for header in ("network", "members", "cities", "regions"):
        top.add_column(header, justify="left" if header == "network" else "right")
    for row in ours["top"]:
        top.add_row(row["name"], str(row["members"]), str(row["cities"]), str(row["regions"]))

    console = Console(width=120)
    console.print(table, phases, top)
    info, load = report["machine"], report["load_average"]
    console.print(
        f"{info['cpu_count']} CPUs, Python {info['python']}, pyoxigraph {info['pyoxigraph']}, "
        f"rdflib {info['rdflib']}; load average {load['before'][0]:.2f} before, "
        f"{load['after'][0]:.2f} after. Written to {RESULTS}."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one ingest per side")
    parser.add_argument("--repetitions", type=int, default=3, help="ingests per side")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(MEASURES[args.worker]()))
        return
    if not CLIMACTOR.is_file():
        raise SystemExit(f"the ClimActor file is not at {CLIMACTOR}; see its README")
    repetitions = 1 if args.quick else args.repetitions
    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for number in range(1, repetitions + 1):
        for side in SIDES:
            print(f"{side}: ingest, run {number} of {repetitions} …", file=sys.stderr)
            runs[side].append(run_worker(side))
    check_same_work(runs)
    sides = {side: summarise(side_runs) for side, side_runs in runs.items()}
    report = {
        "benchmark": "ingest the whole ClimActor 2020 wide table into a fresh store",
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "settings": {"repetitions": repetitions},
        "goal_seconds": GOAL_SECONDS,
        "goal_met": sides["citydiplo"]["ingest_s"] <= GOAL_SECONDS,
        "ratio": sides["rdflib"]["ingest_s"] / sides["citydiplo"]["ingest_s"],
        "sides": sides,
        "runs": runs,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)


if __name__ == "__main__":
    main()
