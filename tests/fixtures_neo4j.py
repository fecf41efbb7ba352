"""The real Neo4j the mirror is tested against.

By default the in-process Neo4j 5.26 of tests/neo4j-server (built by
tests/setup/neo4j-server.sh), started once per session on a free port, no auth, and killed
at the end. With NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) set, the tests
use that server instead: they push with --wipe, so point them at a database you can lose.

CITYDIPLO_SKIP_JAVA=1 or CITYDIPLO_SKIP_NEO4J=1 skips the Neo4j tests with that reason;
without them a missing build or a server that does not start is an error.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import neo4j
import pytest

SERVER = Path(__file__).parent / "neo4j-server"
SKIP_VARIABLES = ("CITYDIPLO_SKIP_JAVA", "CITYDIPLO_SKIP_NEO4J")
STARTUP_SECONDS = 180


@dataclass(frozen=True)
class Neo4jServer:
    """How to reach the test server, as the environment the CLI reads."""

    uri: str
    user: str = "neo4j"
    password: str | None = None
    database: str | None = None
    apoc: bool = False
    launched: bool = True

    @property
    def env(self) -> dict[str, str]:
        env = {"NEO4J_URI": self.uri, "NEO4J_USER": self.user}
        if self.password is not None:
            env["NEO4J_PASSWORD"] = self.password
        if self.database is not None:
            env["NEO4J_DATABASE"] = self.database
        return env

    def driver(self) -> neo4j.Driver:
        auth = (self.user, self.password) if self.password is not None else None
        return neo4j.GraphDatabase.driver(self.uri, auth=auth)


def _skip_if_asked() -> None:
    for variable in SKIP_VARIABLES:
        if os.environ.get(variable) == "1":
            pytest.skip(f"{variable}=1: the Neo4j tests are skipped")


def launch(password: str | None = None) -> tuple[subprocess.Popen, Neo4jServer]:
    """Start the harness server; returns the process and where it listens."""
    classpath = SERVER / "target" / "classpath.txt"
    jar = SERVER / "target" / "neo4j-server.jar"
    if not classpath.is_file() or not jar.is_file():
        raise RuntimeError(
            f"the Neo4j test server is not built ({jar}): run `make neo4j-server` "
            "(tests/setup/neo4j-server.sh), or set CITYDIPLO_SKIP_NEO4J=1 to skip these tests"
        )
    folder = tempfile.mkdtemp(prefix="citydiplo-neo4j-")
    command = [
        "java",
        "-Xmx1g",
        "-cp",
        f"{jar}:{classpath.read_text().strip()}",
        "org.citydiplo.neo4jserver.Main",
        "--dir",
        folder,
    ]
    if password is not None:
        command += ["--auth", password]
    log = open(Path(folder) / "server.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + STARTUP_SECONDS
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("CITYDIPLO_NEO4J "):
            fields = line.split()
            server = Neo4jServer(fields[1], password=password, apoc="apoc=yes" in fields)
            _wait_for_bolt(server, deadline)
            return process, server
        if time.monotonic() > deadline:
            break
    process.kill()
    raise RuntimeError(f"the Neo4j test server did not start; see {folder}/server.log")


def _wait_for_bolt(server: Neo4jServer, deadline: float) -> None:
    with server.driver() as driver:
        while True:
            try:
                driver.verify_connectivity()
                return
            except neo4j.exceptions.ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """A Neo4j with Bolt answering: the configured one (NEO4J_URI) or the test harness."""
    _skip_if_asked()
    if os.environ.get("NEO4J_URI"):
        yield Neo4jServer(
            os.environ["NEO4J_URI"],
            os.environ.get("NEO4J_USER", "neo4j"),
            os.environ.get("NEO4J_PASSWORD"),
            os.environ.get("NEO4J_DATABASE"),
            launched=False,
        )
        return
    process, server = launch()
    try:
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="session")
def neo4j_auth_server(neo4j_server: Neo4jServer) -> Iterator[Neo4jServer]:
    """A server that requires a password (for the wrong-password test): the configured one
    when it has a password, else a second harness server started with one."""
    if not neo4j_server.launched:
        if neo4j_server.password is None:
            pytest.skip("NEO4J_URI is set without NEO4J_PASSWORD: no server with a password")
        yield neo4j_server
        return
    process, server = launch(password="citydiplo-test-secret")
    try:
        yield server
    finally:
        stop(process)
