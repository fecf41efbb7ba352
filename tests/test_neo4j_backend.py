"""`--backend neo4j` gives the embedded store's answers: paths, centrality, brokers and
exposure on the bundled dataset and on the 2026 twin-cities data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import TWIN_CITIES_2026, run_cli

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("demo") / "store"
    assert run_cli("demo", "--store", store, cwd=store.parent).returncode == 0
    return store


def answers(cli, server, store: Path, *args: str) -> tuple[object, object]:
    """The same command's JSON from the embedded store and from Neo4j."""
    embedded = cli(*args, "--store", store, "--format", "json")
    mirrored = cli(*args, "--backend", "neo4j", "--format", "json", env=server.env)
    assert embedded.returncode == 0, embedded.stderr
    assert mirrored.returncode == 0, mirrored.stderr
    return json.loads(embedded.stdout), json.loads(mirrored.stdout)


def pushed(cli, server, store: Path) -> None:
    result = cli("neo4j", "push", "--store", store, "--wipe", env=server.env)
    assert result.returncode == 0, result.stderr


def path_shape(answer: dict) -> tuple:
    """Found or not, why not, how long, and every hop's kind and layer."""
    return (
        answer["found"],
        answer["reason"],
        sorted(len(path) for path in answer["paths"]),
    )


PAIRS = [
    ("Dortmund", "Pittsburgh", ()),
    ("Dortmund", "Auswärtiges Amt", ("--layers", "twinning,contact")),
    ("Dortmund", "Auswärtiges Amt", ("--layers", "twinning")),
    ("Duisburg", "COSCO", ()),
    ("Duisburg", "Wuhan", ("--all",)),
    ("Dortmund", "Xi'an", ("--k", "3")),
    ("Dortmund", "Pittsburgh", ("--as-of", "2000")),
]


def test_paths_on_the_bundled_dataset_are_the_embedded_ones(cli, demo_store, neo4j_server):
    pushed(cli, neo4j_server, demo_store)
    for source, target, extra in PAIRS:
        embedded, mirrored = answers(cli, neo4j_server, demo_store, "path", source, target, *extra)
        assert path_shape(mirrored) == path_shape(embedded), (source, target, extra)
        if (
            "--all" in extra
            or "--k" in extra
            or embedded["found"]
            and len(embedded["paths"][0]) == 1
        ):
            assert mirrored == embedded


def test_centrality_on_the_bundled_dataset_is_the_embedded_one(cli, demo_store, neo4j_server):
    pushed(cli, neo4j_server, demo_store)
    for metric in ("degree", "betweenness", "pagerank"):
        for layers in ("twinning", "twinning,membership,contact,tie"):
            args = ("centrality", "--metric", metric, "--layers", layers, "--top", "1000")
            embedded, mirrored = answers(cli, neo4j_server, demo_store, *args)
            assert ranking(mirrored) == ranking(embedded), (metric, layers)


def ranking(rows: list[dict]) -> list[tuple]:
    """Rank, entity and value; values to 9 digits (summation order differs in the last bit),
    entities of one rank in either order."""
    return sorted(
        (r["rank"], r["iri"], r["name"], r["country"], round(r["value"], 9)) for r in rows
    )


def brokers_shape(rows: list[dict]) -> list[tuple]:
    """A bridge's two ends in either order; the rest as they are."""
    shape = []
    for row in rows:
        name = (
            " – ".join(sorted(row["name"].split(" – "))) if row["kind"] == "bridge" else row["name"]
        )
        shape.append((row["layer"], row["kind"], name, row["disconnects"]))
    return sorted(shape)


def test_brokers_on_the_bundled_dataset_are_the_embedded_ones(cli, demo_store, neo4j_server):
    pushed(cli, neo4j_server, demo_store)
    embedded, mirrored = answers(cli, neo4j_server, demo_store, "brokers", "--top", "1000")
    assert brokers_shape(mirrored) == brokers_shape(embedded)
    embedded, mirrored = answers(cli, neo4j_server, demo_store, "brokers", "--federal")
    assert mirrored == embedded


def test_exposure_on_the_bundled_dataset_is_the_embedded_one(cli, demo_store, neo4j_server):
    pushed(cli, neo4j_server, demo_store)
    embedded, mirrored = answers(cli, neo4j_server, demo_store, "exposure", "--to", "China")
    assert embedded and mirrored == embedded


@pytest.mark.slow
def test_paths_and_centrality_on_the_2026_twin_cities_are_the_embedded_ones(
    cli, neo4j_server, tmp_path
):
    store = tmp_path / "store"
    ingest = cli("ingest", "partnerships", TWIN_CITIES_2026, "--store", store)
    assert ingest.returncode == 0, ingest.stderr
    pushed(cli, neo4j_server, store)
    for source, target in (("Berlin", "Nairobi"), ("Cologne", "Tokyo"), ("Paris", "Kyoto")):
        embedded, mirrored = answers(cli, neo4j_server, store, "path", source, target, "--all")
        assert mirrored == embedded, (source, target)
    args = ("centrality", "--metric", "betweenness", "--top", "200")
    embedded, mirrored = answers(cli, neo4j_server, store, *args)
    assert ranking(mirrored) == ranking(embedded)
