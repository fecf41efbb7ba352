"""The embedded store: atomic, idempotent, shareable with readers, exportable, rdflib-compatible."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from citydiplo.graph import vocab
from citydiplo.graph.store import open_store
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries.stats import graph_stats

from conftest import WIKIDATA_2016, store_fingerprint

SMALL = (
    "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"
    "Dortmund,DE,Amiens,FR,Partnerschaft,1960,,,Stadt Dortmund\n"
    "Duisburg,DE,Wuhan,CN,Partnerschaft,1982,,,IP Special 2022\n"
)


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    data = tmp_path / "small.csv"
    data.write_text(SMALL, encoding="utf-8")
    store = tmp_path / "store"
    ingest_partnerships(data, store=store)
    return store


def figures(store: Path) -> dict:
    with open_store(store) as graph_store:
        return graph_stats(graph_store)


def _start_ingest(store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citydiplo",
            "ingest",
            "partnerships",
            str(WIKIDATA_2016),
            "--store",
            str(store),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_at(process: subprocess.Popen, store: Path, phase: str) -> None:
    """SIGKILL the ingest when the store's files show it has reached `phase`.

    Oxigraph's bulk loader first writes `bulk-*.sst` files, then moves them into the database
    as numbered `.sst` files; the commit transaction then writes a new `.log`.
    """
    at_start = {p.name for p in store.iterdir()}
    at_bulk: set[str] | None = None  # the files present when the first bulk file appeared
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        files = {p.name for p in store.iterdir()}
        if at_bulk is None and any(n.startswith("bulk-") for n in files - at_start):
            at_bulk = files
            if phase == "building":
                break
        if at_bulk is not None:
            suffixes = {Path(n).suffix for n in files - at_bulk if not n.startswith("bulk-")}
            if (phase == "moving" and ".sst" in suffixes) or (
                phase == "committing" and ".log" in suffixes
            ):
                break
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["building", "moving", "committing"])
def test_a_killed_ingest_leaves_the_old_graph(small_store: Path, phase: str) -> None:
    old = figures(small_store)

    _kill_at(_start_ingest(small_store), small_store, phase)

    after = figures(small_store)
    assert after == old or after["relations"]["Twinning"] == 17401 + 2


def test_an_uncommitted_graph_is_invisible_and_cleared_by_the_next_write(
    small_store: Path, tmp_path: Path
) -> None:
    """The state a kill between the bulk load and the commit leaves behind."""
    old = figures(small_store)
    orphan = ox.NamedNode(vocab.ID + "graph/interrupted/000000000000")
    twinning = ox.NamedNode(vocab.ID + "twinning/interrupted")
    raw = ox.Store(str(small_store))
    raw.bulk_extend([ox.Quad(twinning, vocab.TYPE, vocab.CLASS["Twinning"], orphan)])
    raw.flush()
    del raw

    assert figures(small_store) == old
    more = tmp_path / "more.csv"
    more.write_text(SMALL.replace("Amiens,FR", "Leeds,GB"), encoding="utf-8")
    ingest_partnerships(more, store=small_store)

    with open_store(small_store) as graph_store:
        assert orphan.value not in graph_store.named_graphs()
        assert graph_store.named_graphs() == sorted(g.value for g in graph_store.visible_graphs())


def test_reading_leaves_the_store_byte_identical(small_store: Path, cli) -> None:
    before = store_fingerprint(small_store)
    for command in (["stats"], ["sources"], ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 3"]):
        assert cli(*command, "--store", small_store).returncode == 0
    assert store_fingerprint(small_store) == before


def test_readers_work_while_a_writer_holds_the_store(small_store: Path, cli) -> None:
    with open_store(small_store, writable=True):
        result = cli("stats", "--format", "json", "--store", small_store)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["relations"]["Twinning"] == 2


def test_a_second_writer_is_told_the_store_is_locked(
    small_store: Path, tmp_path: Path, cli
) -> None:
    other = tmp_path / "other.csv"
    other.write_text(SMALL.replace("Amiens,FR", "Leeds,GB"), encoding="utf-8")
    with open_store(small_store, writable=True):
        result = cli("ingest", "partnerships", other, "--store", small_store)
    assert result.returncode == 2
    assert "locked" in result.stderr and "Traceback" not in result.stderr


def test_commands_without_a_store_say_how_to_make_one(tmp_path: Path, cli) -> None:
    result = cli("stats", "--store", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no citydiplo store" in result.stderr and "citydiplo demo" in result.stderr


def test_the_store_is_chosen_by_environment_variable(small_store: Path, cli) -> None:
    result = cli("stats", "--format", "json", env={"CITYDIPLO_STORE": str(small_store)})
    assert json.loads(result.stdout)["relations"]["Twinning"] == 2


@pytest.mark.parametrize(
    ("export_format", "rdflib_format"),
    [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld"), ("turtle", "turtle")],
)
def test_exports_parse_back_with_every_statement(
    small_store: Path, tmp_path: Path, cli, export_format: str, rdflib_format: str
) -> None:
    output = tmp_path / f"graph.{export_format}"
    result = cli("export", "--format", export_format, "-o", output, "--store", small_store)
    assert result.returncode == 0, result.stderr
    parsed = rdflib.Dataset()
    parsed.parse(output, format=rdflib_format)
    with open_store(small_store) as store:
        quads = {
            (q.subject.value, q.predicate.value, str(q.object), q.graph_name.value)
            for q in store.quads()
        }
    triples = {(s, p, o) for s, p, o, _ in quads}
    if export_format == "turtle":
        assert len(parsed) == len(triples)
    else:
        assert sum(1 for _ in parsed.quads((None, None, None, None))) == len(quads)


def test_notebook_users_get_an_rdflib_dataset(small_store: Path) -> None:
    with open_store(small_store) as store:
        dataset = store.rdflib_dataset()
        answer = dataset.query(
            "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a cd:Twinning }",
            initNs={"cd": rdflib.Namespace(vocab.NS)},
        )
        assert [int(row[0]) for row in answer] == [2]


def test_the_ontology_describes_every_class_kind_and_property() -> None:
    ontology = rdflib.Graph().parse(Path(vocab.__file__).with_name("ontology.ttl"))
    classes = {str(s) for s in ontology.subjects(rdflib.RDF.type, rdflib.OWL.Class)}
    for name in (*vocab.ENTITY_CLASSES, *vocab.RELATION_CLASSES, "Source", "SourceRecord"):
        assert vocab.NS + name in classes
    concepts = {str(s) for s in ontology.subjects(rdflib.RDF.type, rdflib.SKOS.Concept)}
    for kind in (*vocab.TWINNING_KINDS, *vocab.CONTACT_KINDS, *vocab.TIE_KINDS):
        assert kind.iri.value in concepts
        concept = rdflib.URIRef(kind.iri.value)
        labels = {str(o) for o in ontology.objects(concept, rdflib.SKOS.prefLabel)}
        assert kind.label_de in labels
    properties = {str(s) for s in ontology.subjects(rdflib.RDF.type, rdflib.OWL.ObjectProperty)} | {
        str(s) for s in ontology.subjects(rdflib.RDF.type, rdflib.OWL.DatatypeProperty)
    }
    used = {value.value for value in vars(vocab).values() if isinstance(value, ox.NamedNode)}
    assert {iri for iri in used if iri.startswith(vocab.NS)} - set(classes) <= properties
