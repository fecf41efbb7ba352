"""Fixtures for `citydiplo serve`: the demo store, and the endpoint started as users start it
(`python -m citydiplo serve …` in a subprocess on a free loopback port), stopped afterwards."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from conftest import run_cli

STARTUP_SECONDS = 60
# Limits of the shared endpoint, small enough for the tests to reach them on the demo store.
MAX_ROWS = 500
MAX_BODY = 20_000
TIMEOUT_SECONDS = 3


@dataclass
class Endpoint:
    """A running `citydiplo serve`: its base URL (`…/`), query URL (`…/sparql`) and store."""

    base: str
    url: str
    store: Path
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_endpoint(store: Path, *options: str, env: dict | None = None) -> Iterator[Endpoint]:
    """Start `citydiplo serve --store STORE OPTIONS` and wait until it answers."""
    port = free_port()
    log = store.parent / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "citydiplo", "serve", "--store", str(store)]
            + ["--port", str(port), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(base, process, log)
        yield Endpoint(base, base + "sparql", store, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"citydiplo serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base + "sparql", headers={"Accept": "text/turtle"}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"citydiplo serve did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo data in a store built once per session (read-only afterwards)."""
    folder = tmp_path_factory.mktemp("demo-endpoint")
    result = run_cli("demo", "--store", folder / "store", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "store"


@pytest.fixture(scope="session")
def endpoint(demo_store: Path) -> Iterator[Endpoint]:
    """A read-only endpoint over the demo store, with limits the tests can reach."""
    with running_endpoint(
        demo_store,
        "--max-rows",
        str(MAX_ROWS),
        "--max-body",
        str(MAX_BODY),
        "--timeout",
        str(TIMEOUT_SECONDS),
        "--workers",
        "2",
    ) as running:
        yield running


@pytest.fixture
def writable_demo_store(demo_store: Path, tmp_path: Path) -> Path:
    """A copy of the demo store that a test may change."""
    copy = tmp_path / "writable-store"
    shutil.copytree(demo_store, copy)
    return copy


@dataclass
class RecordingListener:
    """A tiny HTTP server on loopback that records every request it receives."""

    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def recording_listener() -> Iterator[RecordingListener]:
    listener = RecordingListener("")

    class Recorder(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            listener.hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

        do_GET = do_POST = _record

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    listener.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
