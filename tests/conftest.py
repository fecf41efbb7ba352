"""Shared fixtures: the real data sets in ../shared/data, fresh stores, the CLI as users run it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Fixtures for the real servers and the browser, one module each.
pytest_plugins = [
    "fixtures_browser",
    "fixtures_neo4j",
    "fixtures_servers",
    "fixtures_triplestores",
]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WIKIDATA_2016 = SHARED / "wikidata-p190-2016"
TWIN_CITIES_2026 = SHARED / "twin-cities-2026"
CLIMACTOR = SHARED / "climactor-2020" / "subnational_contextuals_database_initcols_Sept2020.csv"
SEED_FACTS = SHARED / "seed-facts" / "seed_facts.json"


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports that commands write to the current directory land in the test's own folder,
    and cached projections in its own cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CITYDIPLO_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run `citydiplo ARGS` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "citydiplo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=600,
    )


def store_fingerprint(path: Path) -> dict[str, str]:
    """Every file of a store with the checksum of its bytes."""
    return {
        str(file.relative_to(path)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(path.rglob("*"))
        if file.is_file()
    }


@pytest.fixture
def cli():
    return run_cli
