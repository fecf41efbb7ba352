"""A remote SPARQL endpoint as the store (`--store sparql+http://…`): what a team keeping its
graph in Fuseki or the Oxigraph server relies on. Both servers run on loopback
(fixtures_triplestores.py); every answer is compared with the embedded store's."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from fixtures_triplestores import TripleStoreServer, free_port

from citydiplo.errors import StoreError
from citydiplo.graph import vocab
from citydiplo.graph.remote_protocol import parse_store_url
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.partnerships import ingest_partnerships

from conftest import ROOT, TWIN_CITIES_2026, run_cli

pytestmark = pytest.mark.triplestore

DEMO = ROOT / "data" / "demo"
QUESTIONS = (
    ("stats", "--format", "json"),
    ("path", "Dortmund", "Pittsburgh", "--format", "json"),
    ("path", "Duisburg", "Wuhan", "--format", "json"),
)
# On the bundled data only: a network's members and a named query with a parameter.
DEMO_QUESTIONS = (
    *QUESTIONS,
    ("members", "Eurocities", "--format", "json"),
    ("sparql", "--named", "twinnings_of_city", "--param", "city=Dortmund", "--format", "json"),
)
TWIN_CITIES_QUESTIONS = (*QUESTIONS, ("path", "Weimar", "Pittsburgh", "--format", "json"))


def answers(store: str | Path, cache: Path, questions=QUESTIONS) -> dict[str, str]:
    """Each question's output on `store`, each asked in a fresh process.

    Projections are cached per store version, which is the same on every engine: each store
    gets a cache of its own, or one engine's answers would hide another's.
    """
    result = {}
    for question in questions:
        done = run_cli(*question, "--store", store, env={"CITYDIPLO_CACHE": str(cache)})
        assert done.returncode == 0, done.stderr
        result[" ".join(question)] = done.stdout
    return result


def sources_without_files(store: str | Path) -> list[dict]:
    """`citydiplo sources` without the file column (where each store read the files from)."""
    done = run_cli("sources", "--format", "json", "--store", store)
    assert done.returncode == 0, done.stderr
    return [{k: v for k, v in row.items() if k != "file"} for row in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def embedded_demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("embedded-demo")
    demo = run_cli("demo", "--store", folder / "store", cwd=folder)
    assert demo.returncode == 0, demo.stderr
    return {
        "demo": demo.stdout,
        "sources": sources_without_files(folder / "store"),
        **answers(folder / "store", folder / "cache", DEMO_QUESTIONS),
    }


@pytest.fixture(scope="module")
def embedded_twin_cities(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("embedded-twin-cities")
    ingest_bundled_dataset(folder / "store", report_dir=folder)
    ingest_partnerships(TWIN_CITIES_2026, store=folder / "store", report_dir=folder)
    return answers(folder / "store", folder / "cache", TWIN_CITIES_QUESTIONS)


def test_demo_on_a_remote_store_tells_the_same_story_as_the_embedded_store(
    triple_store: TripleStoreServer, embedded_demo: dict, tmp_path: Path
) -> None:
    demo = run_cli("demo", "--store", triple_store.store)

    assert demo.returncode == 0, demo.stderr
    remote = {
        "demo": demo.stdout,
        "sources": sources_without_files(triple_store.read_only_store),
        **answers(triple_store.read_only_store, tmp_path / "cache", DEMO_QUESTIONS),
    }
    assert remote == embedded_demo


@pytest.mark.slow
def test_twin_cities_on_a_remote_store_give_the_same_stats_and_paths(
    triple_store: TripleStoreServer, embedded_twin_cities: dict[str, str], tmp_path: Path
) -> None:
    ingest_bundled_dataset(triple_store.store, report_dir=tmp_path)
    summary = ingest_partnerships(TWIN_CITIES_2026, store=triple_store.store, report_dir=tmp_path)

    assert summary.triples_added == 235776
    remote = answers(triple_store.read_only_store, tmp_path / "cache", TWIN_CITIES_QUESTIONS)
    assert remote == embedded_twin_cities


def test_reingesting_the_same_file_into_a_remote_store_adds_nothing(
    triple_store: TripleStoreServer,
) -> None:
    ingest = ("ingest", "partnerships", DEMO / "partnerships.csv", "--store", triple_store.store)
    first = run_cli(*ingest)
    assert first.returncode == 0, first.stderr
    before = triple_store.snapshot()

    again = run_cli(*ingest)

    assert again.returncode == 0, again.stderr
    assert "already ingested with the same content; 0 triples added" in again.stdout
    assert triple_store.snapshot() == before


def test_a_store_without_update_endpoint_refuses_to_ingest_in_one_sentence(
    triple_store: TripleStoreServer,
) -> None:
    ingest = run_cli(
        "ingest", "partnerships", DEMO / "partnerships.csv", "--store", triple_store.read_only_store
    )

    assert ingest.returncode == 2
    message = ingest.stderr.strip()
    assert message.startswith("Error: the store sparql+http://") and "is read-only" in message
    assert "#update=" in message and message.count("\n") == 0
    assert triple_store.snapshot() == set()


def test_a_bad_input_file_leaves_the_remote_graph_unchanged(
    triple_store: TripleStoreServer, tmp_path: Path
) -> None:
    ingest_partnerships(DEMO / "partnerships.csv", store=triple_store.store)
    before = triple_store.snapshot()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "city_a,country_a,city_b,country_b,kind\nDortmund,DE,Amiens,FR,Partnerschaft\n"
        "Essen,DE,,CN,Partnerschaft\n",
        encoding="utf-8",
    )

    ingest = run_cli("ingest", "partnerships", bad, "--store", triple_store.store)

    assert ingest.returncode == 2
    assert ingest.stderr.startswith("Error: ") and "bad.csv" in ingest.stderr
    assert triple_store.snapshot() == before


def test_an_unreachable_endpoint_is_one_sentence_and_exit_2() -> None:
    store = f"sparql+http://127.0.0.1:{free_port()}/ds/query#update=update"

    for command in (("stats",), ("ingest", "partnerships", DEMO / "partnerships.csv")):
        done = run_cli(*command, "--store", store)

        assert done.returncode == 2
        assert done.stderr.startswith("Error: cannot reach the SPARQL query endpoint http://")
        assert done.stderr.count("\n") == 1


def test_an_empty_endpoint_says_to_ingest_first(triple_store: TripleStoreServer) -> None:
    stats = run_cli("stats", "--store", triple_store.read_only_store)

    assert stats.returncode == 2
    assert "no citydiplo sources at sparql+http://" in stats.stderr
    assert "ingest into it first" in stats.stderr


def test_credentials_in_the_store_url_are_refused_and_never_printed() -> None:
    stats = run_cli("stats", "--store", "sparql+http://alice:s3cret@127.0.0.1:1/ds/query")

    assert stats.returncode == 2
    assert "CITYDIPLO_STORE_USER" in stats.stderr
    assert "s3cret" not in stats.stderr and "alice" not in stats.stderr


def test_the_update_endpoint_is_relative_to_the_query_endpoint_or_from_the_environment() -> None:
    fuseki = parse_store_url("sparql+http://h:3030/ds/query#update=update", environ={})
    oxigraph = parse_store_url(
        "sparql+https://h/query", environ={"CITYDIPLO_UPDATE_ENDPOINT": "https://h/update"}
    )
    read_only = parse_store_url("sparql+http://h/sparql", environ={})

    assert (fuseki.query, fuseki.update) == ("http://h:3030/ds/query", "http://h:3030/ds/update")
    assert (oxigraph.query, oxigraph.update) == ("https://h/query", "https://h/update")
    assert read_only.update is None and read_only.display == "sparql+http://h/sparql"
    with pytest.raises(StoreError, match="unknown store option"):
        parse_store_url("sparql+http://h/sparql#updat=update", environ={})


# Names that would end a string, a VALUES row or the query if they were spliced into it.
HOSTILE_NAMES = (
    'Dortmund" } } ; DROP ALL ; #',
    "O'Brien } UNION { ?x ?y ?z }",
    'back\\slash \\u0022 ") } #',
)


def _commit_source(store, name: str, labels: dict[str, str]) -> None:
    graph = ox.NamedNode(f"{vocab.ID}graph/{vocab.slug(name)}/000000000000")
    source = vocab.source_iri(name)
    data = [
        ox.Quad(ox.NamedNode(iri), vocab.LABEL, ox.Literal(label), graph)
        for iri, label in labels.items()
    ]
    marker = [
        ox.Quad(source, vocab.TYPE, vocab.CLASS["Source"], graph),
        ox.Quad(source, vocab.NAME, ox.Literal(name), graph),
        ox.Quad(source, vocab.SHA256, ox.Literal("0" * 64), graph),
    ]
    store.commit_graph(data, marker)


def test_query_parameters_are_bound_as_terms_and_cannot_inject(
    triple_store: TripleStoreServer,
) -> None:
    labels = {f"{vocab.ID}city/hostile-{n}": name for n, name in enumerate(HOSTILE_NAMES)}
    with open_store(triple_store.store, writable=True) as store:
        _commit_source(store, "hostile-names", labels)
    before = triple_store.snapshot()

    with open_store(triple_store.read_only_store) as store:
        found = {
            name: store.select("SELECT ?entity ?name WHERE { ?entity rdfs:label ?name }", name=name)
            for name in HOSTILE_NAMES
        }
        by_iri = store.select(
            "SELECT ?entity ?name WHERE { ?entity rdfs:label ?name }",
            entity=f"{vocab.ID}city/hostile-1",
        )
    named = run_cli(
        "sparql", "--named", "twinnings_of_city", "--param", f"city={HOSTILE_NAMES[0]}",
        "--store", triple_store.read_only_store, "--format", "json",
    )  # fmt: skip

    for number, name in enumerate(HOSTILE_NAMES):
        assert found[name] == [{"entity": f"{vocab.ID}city/hostile-{number}", "name": name}]
    assert by_iri == [{"entity": f"{vocab.ID}city/hostile-1", "name": HOSTILE_NAMES[1]}]
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout) == []
    assert triple_store.snapshot() == before


def test_opening_for_writing_removes_only_citydiplo_leftovers(
    triple_store: TripleStoreServer,
) -> None:
    with open_store(triple_store.store, writable=True) as store:
        _commit_source(store, "kept", {f"{vocab.ID}city/kept": "Kept"})
    leftover = f"{vocab.ID}graph/interrupted/123456789abc"
    foreign = "http://example.org/someone-elses-graph"
    triple_store.update(
        f"INSERT DATA {{ GRAPH <{leftover}> {{ <http://example.org/a> <http://example.org/b> 1 }}"
        f" GRAPH <{foreign}> {{ <http://example.org/a> <http://example.org/b> 2 }} }}"
    )

    with open_store(triple_store.store, writable=True) as store:
        graphs = store.named_graphs()

    assert leftover not in graphs
    assert foreign in graphs
    assert f"{vocab.ID}graph/kept/000000000000" in graphs
