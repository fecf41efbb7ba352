"""citydiplo against a straightforward rdflib baseline: ingest of the 2016 P190 snapshot and
the top-10-by-twinnings query, measured in one run.

    make bench                                            # 3 ingests per side
    .venv/bin/python bench/ingest_and_query.py --quick    # 1 ingest per side (smoke run)

Every ingest runs in a fresh subprocess (a fresh interpreter and, for citydiplo, a fresh
store directory), which then runs the query: 1 warm-up and `--query-runs` timed runs. So
peak RSS is per side and per run. The two sides alternate, so load from other processes on
the machine falls on both.

Speed is a ratio, baseline / citydiplo, from the same run, printed beside the issue's goal
(ingest ≥5×, query ≥20×); a missed goal is printed as missed. The run fails only if the two
sides disagree on the answer (top 10 or number of statements), since then the timings
compare different work. The baseline is defined in `rdflib_baseline.py`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import metadata
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar

BENCH_DIR = Path(__file__).resolve().parent
SNAPSHOT = BENCH_DIR.parent / ".." / "shared" / "data" / "wikidata-p190-2016"
RESULTS = BENCH_DIR / "results" / "ingest_and_query.json"
TOP = 10
GOALS = {"ingest": 5.0, "query": 20.0}
SIDES = ("citydiplo", "rdflib")
# Phases in the order they run; each side reports the ones it has.
PHASES = (
    "parse",
    "resolve",
    "build quads",
    "convert to rdflib",
    "add to Dataset",
    "write: store bookkeeping",
    "write: bulk load + commit",
    "flush on close",
    "other",
)

T = TypeVar("T")


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (ru_maxrss is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads, user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_query(run: Callable[[], list[dict[str, Any]]], runs: int) -> dict[str, Any]:
    """The first run (parse, plan, cold caches) and `runs` timed runs after it."""
    start = perf_counter()
    rows = run()
    first = perf_counter() - start
    timed = []
    for _ in range(runs):
        start = perf_counter()
        again = run()
        timed.append(perf_counter() - start)
        if again != rows:
            raise SystemExit("the query gave different answers on two runs of the same data")
    return {"first_s": first, "runs_s": timed, "rows": rows}


class IngestClock:
    """Wall time per phase of one real ingest call.

    The functions the ingest calls (`targets`: owner, attribute, phase) are wrapped with a
    timer for the call, so the breakdown is of the real ingest rather than of a copy of its
    steps; the wrappers cost a few microseconds in all. Resolution is timed through the
    ingest's own progress hook.
    """

    def __init__(self, targets: tuple[tuple[Any, str, str], ...] = ()) -> None:
        self.targets = targets
        self.seconds: dict[str, float] = {}

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def timed(self, function: Callable[..., T], phase: str) -> Callable[..., T]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> T:
            start = perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(phase, perf_counter() - start)

        return timed

    @contextmanager
    def instrumented(self) -> Iterator[IngestClock]:
        originals = []
        try:
            for owner, name, phase in self.targets:
                original = getattr(owner, name)
                originals.append((owner, name, original))
                setattr(owner, name, self.timed(original, phase))
            yield self
        finally:
            for owner, name, original in reversed(originals):
                setattr(owner, name, original)

    def track(self, items: Iterable[T], _description: str, _total: int) -> Iterator[T]:
        start = perf_counter()
        yield from items
        self.add("resolve", perf_counter() - start)

    def phases(self, total: float) -> dict[str, float]:
        """The phases, with `write` split into its bulk load and the rest, and `other`."""
        phases = dict(self.seconds)
        phases["write: store bookkeeping"] = phases.pop("write") - phases.get(
            "write: bulk load + commit", 0.0
        )
        phases["other"] = total - sum(phases.values())
        return phases


def measure_citydiplo(query_runs: int) -> dict[str, Any]:
    """One ingest into a fresh store directory, then the query on the store opened read-only."""
    from citydiplo.graph.store import GraphStore, open_store
    from citydiplo.ingest import partnerships, pipeline
    from citydiplo.ingest.partnerships import ingest_partnerships
    from citydiplo.queries.twinnings import top_twinned

    rss_imports = peak_rss_mib()
    clock = IngestClock(
        (
            (partnerships, "read_partnerships", "parse"),
            (pipeline, "source_graph_quads", "build quads"),
            (pipeline, "write_source", "write"),
            (GraphStore, "commit_graph", "write: bulk load + commit"),
            (GraphStore, "close", "flush on close"),
        )
    )
    with tempfile.TemporaryDirectory(prefix="citydiplo-bench-") as tmp:
        store_dir = Path(tmp) / "store"
        with clock.instrumented():
            cpu_start, start = cpu_seconds(), perf_counter()
            ingest_partnerships(SNAPSHOT, store=store_dir, report_dir=tmp, track=clock.track)
            ingest_seconds = perf_counter() - start
            ingest_cpu = cpu_seconds() - cpu_start
        rss_ingest = peak_rss_mib()
        store_bytes = sum(f.stat().st_size for f in store_dir.iterdir() if f.is_file())
        with open_store(store_dir) as store:
            query = time_query(lambda: top_twinned(store, TOP), query_runs)
            statements = len(store)
    return {
        "ingest_s": ingest_seconds,
        "ingest_cpu_s": ingest_cpu,
        "phases_s": clock.phases(ingest_seconds),
        "query": query,
        "statements": statements,
        "store_mib": store_bytes / 2**20,
        "rss_after_imports_mib": rss_imports,
        "peak_rss_after_ingest_mib": rss_ingest,
        "peak_rss_mib": peak_rss_mib(),
    }


def measure_rdflib(query_runs: int) -> dict[str, Any]:
    """One ingest into a new in-memory rdflib Dataset, then the same query on it."""
    import rdflib_baseline

    rss_imports = peak_rss_mib()
    cpu_start, start = cpu_seconds(), perf_counter()
    dataset, phases = rdflib_baseline.ingest(SNAPSHOT)
    ingest_seconds = perf_counter() - start
    ingest_cpu = cpu_seconds() - cpu_start
    phases["other"] = ingest_seconds - sum(phases.values())
    rss_ingest = peak_rss_mib()
    query = time_query(lambda: rdflib_baseline.top_twinned(dataset, TOP), query_runs)
    return {
        "ingest_s": ingest_seconds,
        "ingest_cpu_s": ingest_cpu,
        "phases_s": phases,
        "query": query,
        "statements": rdflib_baseline.statement_count(dataset),
        "rss_after_imports_mib": rss_imports,
        "peak_rss_after_ingest_mib": rss_ingest,
        "peak_rss_mib": peak_rss_mib(),
    }


MEASURES = {"citydiplo": measure_citydiplo, "rdflib": measure_rdflib}


def run_worker(side: str, query_runs: int) -> dict[str, Any]:
    """Measure one side in a fresh interpreter; its figures come back as JSON on stdout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", side]
    command += ["--query-runs", str(query_runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {side} run failed (exit status {done.returncode}); see above")
    return json.loads(done.stdout.splitlines()[-1])


def check_same_work(runs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The top 10 every run found; exits with status 1 if any run or side disagrees."""
    expected = runs["citydiplo"][0]
    for side, side_runs in runs.items():
        for number, run in enumerate(side_runs, 1):
            where = f"{side} run {number}"
            if run["query"]["rows"] != expected["query"]["rows"]:
                print(f"TOP-{TOP} MISMATCH: citydiplo run 1 vs {where}", file=sys.stderr)
                print(json.dumps(expected["query"]["rows"], indent=1), file=sys.stderr)
                print(json.dumps(run["query"]["rows"], indent=1), file=sys.stderr)
                raise SystemExit(1)
            if run["statements"] != expected["statements"]:
                raise SystemExit(
                    f"STATEMENT COUNT MISMATCH: citydiplo run 1 stored "
                    f"{expected['statements']:,}, {where} stored {run['statements']:,}"
                )
    return expected["query"]["rows"]


def summarise(side_runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs of one side (peak RSS: the largest)."""
    phases = {
        phase: statistics.median(run["phases_s"][phase] for run in side_runs)
        for phase in PHASES
        if phase in side_runs[0]["phases_s"]
    }
    summary = {
        "ingest_s": statistics.median(run["ingest_s"] for run in side_runs),
        "ingest_runs_s": [run["ingest_s"] for run in side_runs],
        "ingest_cpu_s": statistics.median(run["ingest_cpu_s"] for run in side_runs),
        "phases_s": phases,
        "query_first_s": statistics.median(run["query"]["first_s"] for run in side_runs),
        "query_median_s": statistics.median(
            seconds for run in side_runs for seconds in run["query"]["runs_s"]
        ),
        "query_runs_s": [run["query"]["runs_s"] for run in side_runs],
        "statements": side_runs[0]["statements"],
        "rss_after_imports_mib": statistics.median(r["rss_after_imports_mib"] for r in side_runs),
        "peak_rss_after_ingest_mib": max(r["peak_rss_after_ingest_mib"] for r in side_runs),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in side_runs),
    }
    if "store_mib" in side_runs[0]:
        summary["store_mib"] = statistics.median(run["store_mib"] for run in side_runs)
    return summary


def ratios(sides: dict[str, dict[str, Any]]) -> dict[str, float]:
    ours, baseline = sides["citydiplo"], sides["rdflib"]
    conversion = baseline["phases_s"]["convert to rdflib"]
    return {
        "ingest": baseline["ingest_s"] / ours["ingest_s"],
        "ingest_without_baseline_conversion": (baseline["ingest_s"] - conversion)
        / ours["ingest_s"],
        "ingest_cpu": baseline["ingest_cpu_s"] / ours["ingest_cpu_s"],
        "query_first": baseline["query_first_s"] / ours["query_first_s"],
        "query": baseline["query_median_s"] / ours["query_median_s"],
        "peak_rss": baseline["peak_rss_mib"] / ours["peak_rss_mib"],
    }


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "pyoxigraph": metadata.version("pyoxigraph"),
        "rdflib": metadata.version("rdflib"),
        "memory_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
    }


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    sides, ratio, settings = report["sides"], report["ratios"], report["settings"]
    ours, baseline = sides["citydiplo"], sides["rdflib"]
    reps, query_runs = settings["repetitions"], settings["query_runs"]

    def verdict(name: str) -> str:
        return "[green]met[/]" if report["goals_met"][name] else "[bold red]NOT MET[/]"

    table = Table(
        title=f"wikidata-p190-2016: ingest, then the top {TOP} by twinnings",
        caption=f"{reps} fresh process(es) per side, each: one ingest, then the query "
        f"(1 warm-up + {query_runs} timed runs). citydiplo: pyoxigraph store on disk; "
        "baseline: rdflib.Dataset in memory (bench/README.md)",
    )
    table.add_column("", no_wrap=True)
    for header in ("citydiplo", "rdflib baseline", "baseline / citydiplo", "goal", ""):
        table.add_column(header, justify="right")
    table.add_row(
        f"ingest (median of {reps})",
        f"{ours['ingest_s']:.2f} s",
        f"{baseline['ingest_s']:.2f} s",
        f"{ratio['ingest']:.2f}×",
        f"≥{GOALS['ingest']:g}×",
        verdict("ingest"),
    )
    table.add_row(
        "  baseline minus its term conversion",
        "",
        f"{baseline['ingest_s'] - baseline['phases_s']['convert to rdflib']:.2f} s",
        f"{ratio['ingest_without_baseline_conversion']:.2f}×",
    )
    table.add_row(
        "  CPU time of the ingest (all threads)",
        f"{ours['ingest_cpu_s']:.2f} s",
        f"{baseline['ingest_cpu_s']:.2f} s",
        f"{ratio['ingest_cpu']:.2f}×",
    )
    table.add_row(
        "query, first run",
        f"{ours['query_first_s'] * 1000:.0f} ms",
        f"{baseline['query_first_s'] * 1000:.0f} ms",
        f"{ratio['query_first']:.2f}×",
    )
    table.add_row(
        f"query (median of {reps * query_runs})",
        f"{ours['query_median_s'] * 1000:.0f} ms",
        f"{baseline['query_median_s'] * 1000:.0f} ms",
        f"{ratio['query']:.2f}×",
        f"≥{GOALS['query']:g}×",
        verdict("query"),
    )
    table.add_row(
        "peak RSS (max over runs)",
        f"{ours['peak_rss_mib']:.0f} MiB",
        f"{baseline['peak_rss_mib']:.0f} MiB",
        f"{ratio['peak_rss']:.2f}×",
        "reported",
    )
    table.add_row(
        "  of which RSS after imports",
        f"{ours['rss_after_imports_mib']:.0f} MiB",
        f"{baseline['rss_after_imports_mib']:.0f} MiB",
    )
    table.add_row(
        "  peak RSS when ingest ended",
        f"{ours['peak_rss_after_ingest_mib']:.0f} MiB",
        f"{baseline['peak_rss_after_ingest_mib']:.0f} MiB",
    )
    table.add_row("statements stored", f"{ours['statements']:,}", f"{baseline['statements']:,}")
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

    answer = Table(title=f"The top {TOP} both sides found")
    for header in ("city", "name", "partners"):
        answer.add_column(header, justify="right" if header == "partners" else "left")
    for row in report["top"]:
        answer.add_row(row["city"], row["name"] or "", str(row["partners"]))

    console = Console(width=120)
    console.print(table, phases, answer)
    machine_info = report["machine"]
    console.print(
        f"{machine_info['cpu_count']} CPUs, Python {machine_info['python']}, pyoxigraph "
        f"{machine_info['pyoxigraph']}, rdflib {machine_info['rdflib']}; load average "
        f"{report['load_average']['before'][0]:.2f} before, "
        f"{report['load_average']['after'][0]:.2f} after. Written to {RESULTS}."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one ingest per side (smoke run)")
    parser.add_argument("--repetitions", type=int, default=3, help="ingests per side")
    parser.add_argument("--query-runs", type=int, default=5, help="timed query runs per ingest")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(MEASURES[args.worker](args.query_runs)))
        return
    if not SNAPSHOT.is_dir():
        raise SystemExit(f"the 2016 snapshot is not at {SNAPSHOT.resolve()}; see its README")

    repetitions = 1 if args.quick else args.repetitions
    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for number in range(1, repetitions + 1):
        for side in SIDES:
            print(f"{side}: ingest and query, run {number} of {repetitions} …", file=sys.stderr)
            runs[side].append(run_worker(side, args.query_runs))
    top = check_same_work(runs)
    sides = {side: summarise(side_runs) for side, side_runs in runs.items()}
    ratio = ratios(sides)
    report = {
        "benchmark": "ingest wikidata-p190-2016, then top-10 by twinnings",
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "settings": {"repetitions": repetitions, "query_runs": args.query_runs, "top": TOP},
        "goals": GOALS,
        "goals_met": {name: ratio[name] >= goal for name, goal in GOALS.items()},
        "ratios": ratio,
        "sides": sides,
        "top": top,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)


if __name__ == "__main__":
    main()
