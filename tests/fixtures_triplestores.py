"""Server triple stores on loopback for the remote-store tests: Apache Jena Fuseki (in memory)
and the Oxigraph server, each started once per test session and stopped after.

`tests/setup/triple-stores.sh` (run by `make test`) fetches Fuseki. With CITYDIPLO_SKIP_JAVA=1
the Fuseki tests are skipped with that reason; otherwise a missing server fails loudly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

TESTS = Path(__file__).resolve().parent
FUSEKI_JAR = TESTS / "fuseki" / "lib" / "jena-fuseki-server.jar"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
SKIP_JAVA = os.environ.get("CITYDIPLO_SKIP_JAVA") == "1"
TRIPLE_STORES = ("fuseki", "oxigraph")
_STARTUP_SECONDS = 90


@dataclass
class TripleStoreServer:
    """A running server: its SPARQL query and update endpoints."""

    name: str
    query_url: str
    update_url: str

    @property
    def store(self) -> str:
        """The --store value that reads and writes this server (Fuseki's /ds/update beside
        /ds/query, Oxigraph's /update beside /query: `update` relative to the query URL)."""
        return f"sparql+{self.query_url}#update=update"

    @property
    def read_only_store(self) -> str:
        return f"sparql+{self.query_url}"

    def update(self, text: str) -> None:
        response = httpx.post(
            self.update_url,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=60,
        )
        response.raise_for_status()

    def snapshot(self) -> set[tuple[str, ...]]:
        """Every quad on the server (all graphs, committed or not), as N-Triples terms."""
        response = httpx.post(
            self.query_url,
            data={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/tab-separated-values"},
            timeout=120,
        )
        response.raise_for_status()
        return {tuple(line.split("\t")) for line in response.text.splitlines()[1:]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(
    name: str, command: list[str], ready_url: str, folder: Path, env: dict[str, str]
) -> subprocess.Popen:
    log = folder / f"{name}.log"
    process = subprocess.Popen(
        command,
        cwd=folder,
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited at start-up:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(ready_url, timeout=2).is_success:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    pytest.fail(f"{name} did not answer within {_STARTUP_SECONDS} s; its log: {log}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def fuseki_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TripleStoreServer]:
    """Apache Jena Fuseki 5 with one in-memory, updatable dataset /ds."""
    if SKIP_JAVA:
        pytest.skip("CITYDIPLO_SKIP_JAVA=1: no Java, so no Fuseki server")
    java = shutil.which("java")
    if java is None or not FUSEKI_JAR.is_file():
        pytest.fail(
            f"Fuseki needs Java 17 and {FUSEKI_JAR}: run `make triple-stores` "
            "(or set CITYDIPLO_SKIP_JAVA=1 to skip the Fuseki tests)"
        )
    folder = tmp_path_factory.mktemp("fuseki")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [java, "-Xmx1g", "-jar", str(FUSEKI_JAR)]
    command += ["--mem", "--update", "--localhost", "--port", str(port), "/ds"]
    # FUSEKI_BASE: Fuseki writes its run/ folder there instead of the working directory.
    process = _start("fuseki", command, f"{base}/$/ping", folder, {"FUSEKI_BASE": str(folder)})
    yield TripleStoreServer("fuseki", f"{base}/ds/query", f"{base}/ds/update")
    _stop(process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TripleStoreServer]:
    """The Oxigraph server (the `oxigraph` wheel) on a fresh directory."""
    if not OXIGRAPH.is_file():
        pytest.fail(f"{OXIGRAPH} is missing: run `make install` (it comes with the test extras)")
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(OXIGRAPH), "serve", "--location", str(folder / "data")]
    command += ["--bind", f"127.0.0.1:{port}"]
    process = _start("oxigraph", command, f"{base}/query?query=ASK%7B%7D", folder, {})
    yield TripleStoreServer("oxigraph", f"{base}/query", f"{base}/update")
    _stop(process)


@pytest.fixture(params=TRIPLE_STORES)
def triple_store(request: pytest.FixtureRequest) -> TripleStoreServer:
    """Each server in turn, emptied for the test."""
    server: TripleStoreServer = request.getfixturevalue(f"{request.param}_server")
    server.update("DROP ALL")
    return server
