"""`citydiplo serve` under load, against rdflib-endpoint serving the same graph.

    .venv/bin/python bench/endpoint_load.py            # 50 clients, 30 s per server
    .venv/bin/python bench/endpoint_load.py --quick    # 50 clients, 5 s per server

The 2016 Wikidata P190 snapshot (10,055 cities) is ingested into a fresh store, which
`citydiplo serve` then serves (its default worker pool). The baseline is rdflib-endpoint
(a FastAPI app) serving an `rdflib.Dataset(default_union=True)` loaded from the same store's
N-Quads export. Both listen on 127.0.0.1 only.

The typical query is "the twinning partners of a city, with their names", asked for the
20 most twinned cities in turn (the city bound as a VALUES term). Before the load, both
servers must give the same answers for every city, or the run fails. Then 50 concurrent
clients (asyncio + one httpx connection each) send GET requests for `--duration` seconds,
at most `--max-requests` in all; a request counts as an error unless it gets 200 with the
expected number of rows (the run fails on any error from citydiplo). Reported: requests
per second, p50/p99 latency, errors, and the throughput ratio citydiplo / rdflib-endpoint.
The load generator shares the machine's CPUs with the server it measures, on both sides.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from citydiplo.graph.store import open_store
from citydiplo.queries.twinnings import top_twinned

BENCH_DIR = Path(__file__).resolve().parent
SNAPSHOT = BENCH_DIR.parent / ".." / "shared" / "data" / "wikidata-p190-2016"
RESULTS = BENCH_DIR / "results" / "endpoint_load.json"
CITIES = 20
STARTUP_SECONDS = 600
REQUEST_TIMEOUT = 120.0
SPARQL_JSON = "application/sparql-results+json"

PARTNERS_OF_CITY = """PREFIX cd: <https://citydiplo.org/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?partner ?name WHERE {
  VALUES ?city { %s }
  ?city cd:twinnedWith ?partner .
  OPTIONAL { ?partner rdfs:label ?name }
}
ORDER BY ?partner ?name"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{name} exited with status {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    sys.exit(f"{name} did not answer within {STARTUP_SECONDS} s")


def prepare(store: Path, nquads: Path) -> list[str]:
    """Ingest the snapshot, export it for the baseline, and write one query per city."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "citydiplo", "ingest", "partnerships", str(SNAPSHOT)]
        + ["--store", str(store)],
        check=True,
        capture_output=True,
        cwd=store.parent,
    )
    print(f"ingested the snapshot in {time.perf_counter() - started:.1f} s")
    with open_store(store) as graph_store:
        cities = [row["city"] for row in top_twinned(graph_store, CITIES)][:CITIES]
        with nquads.open("wb") as output:
            graph_store.dump(output, ox.RdfFormat.N_QUADS)
    # Each city goes in as an RDF term written by pyoxigraph, never as raw text.
    return [PARTNERS_OF_CITY % ox.NamedNode(city) for city in cities]


def rows(url: str, query: str) -> list[tuple[str, ...]]:
    response = httpx.get(
        url, params={"query": query}, headers={"Accept": SPARQL_JSON}, timeout=REQUEST_TIMEOUT
    )
    response.raise_for_status()
    data = response.json()
    names = data["head"]["vars"]
    return sorted(
        tuple(binding.get(name, {}).get("value", "") for name in names)
        for binding in data["results"]["bindings"]
    )


async def load(
    url: str, queries: list[str], expected: list[int], clients: int, duration: float, limit: int
) -> dict[str, Any]:
    """`clients` concurrent clients asking `queries` in turn for `duration` s."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    issued = itertools.count()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:
        start = time.perf_counter()
        deadline = start + duration

        async def client_loop() -> None:
            while time.perf_counter() < deadline:
                number = next(issued)
                if number >= limit:
                    return
                index = number % len(queries)
                sent = time.perf_counter()
                try:
                    response = await client.get(
                        url, params={"query": queries[index]}, headers={"Accept": SPARQL_JSON}
                    )
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1
                    continue
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
                elif len(response.json()["results"]["bindings"]) != expected[index]:
                    errors["wrong number of rows"] += 1
                else:
                    latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(client_loop() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "requests": len(latencies),
        "errors": dict(errors),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def serve_baseline(port: int, nquads: Path) -> None:
    """The baseline server process: rdflib-endpoint over an in-memory rdflib Dataset."""
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(nquads), format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start(command: list[str], name: str, url: str, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    wait_until_serving(url, process, name)
    print(f"{name} serving after {time.perf_counter() - started:.1f} s")
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per server")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per server")
    parser.add_argument("--quick", action="store_true", help="5 s per server")
    parser.add_argument(
        "--baseline-server", nargs=2, metavar=("PORT", "NQUADS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.baseline_server:
        serve_baseline(int(args.baseline_server[0]), Path(args.baseline_server[1]))
        return
    duration = 5.0 if args.quick else args.duration

    with tempfile.TemporaryDirectory(prefix="citydiplo-endpoint-bench-") as tmp:
        folder = Path(tmp)
        store, nquads = folder / "store", folder / "graph.nq"
        queries = prepare(store, nquads)
        servers = {
            "citydiplo": [sys.executable, "-m", "citydiplo", "serve", "--store", str(store)],
            "rdflib-endpoint": [sys.executable, __file__, "--baseline-server"],
        }
        urls, processes = {}, {}
        try:
            for name, command in servers.items():
                port = free_port()
                urls[name] = f"http://127.0.0.1:{port}/sparql"
                extra = ["--port", str(port)] if name == "citydiplo" else [str(port), str(nquads)]
                processes[name] = start(command + extra, name, urls[name], folder / f"{name}.log")
            answers = {name: [rows(url, q) for q in queries] for name, url in urls.items()}
            if answers["citydiplo"] != answers["rdflib-endpoint"]:
                sys.exit("the two servers disagree on the partners of a city; not comparable")
            expected = [len(answer) for answer in answers["citydiplo"]]
            results = {}
            for name, url in urls.items():
                print(f"loading {name}: {args.clients} clients for {duration:g} s …", flush=True)
                results[name] = asyncio.run(
                    load(url, queries, expected, args.clients, duration, args.max_requests)
                )
        finally:
            for process in processes.values():
                stop(process)

    report(results, args.clients, duration, expected)


def report(results: dict[str, Any], clients: int, duration: float, expected: list[int]) -> None:
    print(
        f"\n{clients} clients, {duration:g} s each, partners of the {CITIES} most twinned "
        f"cities in turn ({min(expected)}–{max(expected)} rows each)"
    )
    print(f"{'server':<16} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for name, figures in results.items():
        print(
            f"{name:<16} {figures['requests']:>9,} {figures['throughput']:>8.1f} "
            f"{figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f}  "
            f"{sum(figures['errors'].values())} {figures['errors'] or ''}"
        )
    ratio = results["citydiplo"]["throughput"] / results["rdflib-endpoint"]["throughput"]
    print(f"throughput ratio citydiplo / rdflib-endpoint: {ratio:.1f}×")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now().isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "pyoxigraph": ox.__version__,
                    "load_average": os.getloadavg(),
                },
                "clients": clients,
                "duration": duration,
                "results": results,
                "ratio": ratio,
            },
            indent=2,
        )
    )
    # The goal is zero errors from citydiplo; the baseline's are reported, not judged.
    if results["citydiplo"]["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
