"""The Neo4j mirror against a real Neo4j 5.26 (tests/fixtures_neo4j.py): push, counts,
idempotence, pull round trip, `neo4j query`, and the errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from citydiplo.graph import vocab
from citydiplo.graph.store import open_store

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run_cli

    store = tmp_path_factory.mktemp("demo") / "store"
    result = run_cli("demo", "--store", store, cwd=store.parent)
    assert result.returncode == 0, result.stderr
    return store


def cypher(server, statement: str, **parameters) -> list[dict]:
    with server.driver() as driver:
        records, _, _ = driver.execute_query(
            statement, parameters_=parameters, database_=server.database
        )
    return [record.data() for record in records]


def push(cli, server, store: Path, *extra: str):
    result = cli("neo4j", "push", "--store", store, "--wipe", *extra, env=server.env)
    assert result.returncode == 0, result.stderr
    return result


_STORE_COUNTS = {
    # Neo4j label or type → SPARQL that counts the same things in the store.
    **{
        label: f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cd:{label} }}"
        for label in vocab.ENTITY_CLASSES
    },
    "TWINNED_WITH": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Twinning }",
    "MEMBER_OF": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Membership }",
    "CONTACT_OF": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE "
    "{ ?x a cd:Contact FILTER NOT EXISTS { ?x a cd:Funding } }",
    "FUNDED_BY": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Funding }",
    "OWNS_STAKE_IN": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Stake }",
    "INVESTS_IN": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Investment }",
    "COOPERATES_WITH": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Cooperation }",
    "CONTROLLED_BY": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Control }",
    "LOCATED_IN": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b { ?a cd:locatedIn ?b } }",
    "PART_OF": "SELECT (COUNT(*) AS ?n) WHERE "
    "{ SELECT DISTINCT ?a ?b { ?a org:subOrganizationOf ?b } }",
    "IN_COUNTRY": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b { ?a cd:country ?b } }",
    "SourceRecord": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:SourceRecord }",
    "Source": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a cd:Source }",
}
_RELATION_TYPES = {"TWINNED_WITH", "MEMBER_OF", "CONTACT_OF", "FUNDED_BY", "OWNS_STAKE_IN"}
_RELATION_TYPES |= {"INVESTS_IN", "COOPERATES_WITH", "CONTROLLED_BY"}


def store_counts(store: Path) -> dict[str, int]:
    with open_store(store) as graph:
        return {name: graph.select(query)[0]["n"] for name, query in _STORE_COUNTS.items()}


def neo4j_counts(server) -> dict[str, int]:
    counts = {}
    for name in _STORE_COUNTS:
        if name[0].isupper() and not name.isupper():
            rows = cypher(server, f"MATCH (n:{name}) RETURN count(n) AS n")
        elif name in _RELATION_TYPES:
            # A contact through an intermediary is two relationships with one relation IRI.
            rows = cypher(server, f"MATCH ()-[r:{name}]->() RETURN count(DISTINCT r.iri) AS n")
        else:
            rows = cypher(server, f"MATCH ()-[r:{name}]->() RETURN count(r) AS n")
        counts[name] = rows[0]["n"]
    return counts


def database_content(server) -> tuple[list, list]:
    """Every node (labels and properties) and relationship (type, ends, properties), sorted."""
    nodes = cypher(server, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    relationships = cypher(
        server,
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.iri AS a, b.iri AS b, properties(r) AS p",
    )
    key = lambda row: json.dumps(row, sort_keys=True, default=str)  # noqa: E731
    return sorted(map(key, nodes)), sorted(map(key, relationships))


def test_push_mirrors_every_entity_and_relation_with_the_stores_counts(
    cli, demo_store, neo4j_server
):
    push(cli, neo4j_server, demo_store)
    expected = store_counts(demo_store)
    assert expected["City"] > 50 and expected["TWINNED_WITH"] > 20
    assert neo4j_counts(neo4j_server) == expected


def test_every_node_keeps_its_iri_and_qid_and_every_relation_its_provenance(
    cli, demo_store, neo4j_server
):
    push(cli, neo4j_server, demo_store)
    (dortmund,) = cypher(neo4j_server, "MATCH (c:City {name: 'Dortmund'}) RETURN c {.*} AS c")
    assert dortmund["c"]["iri"].startswith(vocab.ID) and dortmund["c"]["qid"] == "Q1295"
    rows = cypher(
        neo4j_server,
        "MATCH (:City {name: 'Dortmund'})-[t:TWINNED_WITH]-(:City {name: 'Pittsburgh'}) "
        "MATCH (record:SourceRecord)-[:RECORD_OF]->(source:Source) "
        "WHERE record.iri IN t.derivedFrom "
        "RETURN t.kind AS kind, t.since AS since, t.status AS status, t.iri AS iri, "
        "t.source AS dataset, source.name AS source, source.graph AS graph, record.row AS row",
    )
    assert rows and rows[0]["kind"] == "innovation" and rows[0]["since"] == "2021"
    assert rows[0]["status"] == "active" and rows[0]["iri"].startswith(vocab.ID + "twinning/")
    assert rows[0]["source"] == rows[0]["dataset"] == "citydiplo-demo-partnerships"
    assert rows[0]["graph"].startswith(vocab.ID + "graph/") and rows[0]["row"] == 8
    stakes = cypher(neo4j_server, "MATCH ()-[s:OWNS_STAKE_IN]->(:Asset) RETURN s.share AS share")
    assert 30.0 in [row["share"] for row in stakes]


def test_pushing_twice_changes_nothing(cli, demo_store, neo4j_server):
    push(cli, neo4j_server, demo_store)
    before = database_content(neo4j_server)
    again = cli("neo4j", "push", "--store", demo_store, env=neo4j_server.env)
    assert again.returncode == 0, again.stderr
    assert "Removed" not in again.stdout
    assert database_content(neo4j_server) == before


def test_push_removes_what_the_store_no_longer_has(cli, demo_store, neo4j_server):
    push(cli, neo4j_server, demo_store)
    cypher(neo4j_server, "CREATE (:Entity:City {iri: 'https://citydiplo.org/id/city/gone'})")
    result = cli("neo4j", "push", "--store", demo_store, env=neo4j_server.env)
    assert "Removed 1 " in result.stdout
    assert neo4j_counts(neo4j_server) == store_counts(demo_store)


def data_triples(store: Path) -> set[ox.Triple]:
    """The round trip's promise: every triple of the source graphs except the descriptions
    of the sources themselves (subjects https://citydiplo.org/id/source/NAME: file, checksum,
    retrieval date; a pull describes itself instead)."""
    sources = vocab.ID + "source/"
    with open_store(store) as graph:
        return {
            ox.Triple(quad.subject, quad.predicate, quad.object)
            for quad in graph.quads()
            if quad.graph_name.value != vocab.ONTOLOGY_GRAPH
            and not (quad.subject.value.startswith(sources) and "#" not in quad.subject.value)
        }


def test_pull_into_an_empty_store_gives_back_the_same_triples(
    cli, demo_store, neo4j_server, tmp_path
):
    push(cli, neo4j_server, demo_store)
    copy = tmp_path / "copy"
    result = cli("neo4j", "pull", "--store", copy, env=neo4j_server.env)
    assert result.returncode == 0, result.stderr
    assert data_triples(copy) == data_triples(demo_store)
    with open_store(copy) as graph:
        (source,) = graph.source_versions()
    assert source.name.startswith("neo4j ")
    again = cli("neo4j", "pull", "--store", copy, env=neo4j_server.env)
    assert "0 triples added" in again.stdout


def test_query_runs_cypher_with_parameters_in_every_format(cli, demo_store, neo4j_server):
    push(cli, neo4j_server, demo_store)
    statement = (
        "MATCH (:City {name: $name})-[t:TWINNED_WITH]-(partner) "
        "WHERE toInteger(t.since) >= $year RETURN partner.name AS partner ORDER BY partner"
    )
    args = ("neo4j", "query", statement, "--param", "name=Dortmund", "--param", "year=2000")
    result = cli(*args, "--format", "json", env=neo4j_server.env)
    assert result.returncode == 0, result.stderr
    assert {"partner": "Pittsburgh"} in json.loads(result.stdout)
    csv = cli(*args, "--format", "csv", env=neo4j_server.env)
    assert csv.stdout.splitlines()[0] == "partner" and "Pittsburgh" in csv.stdout


def test_a_malformed_cypher_query_is_one_sentence_and_exit_2(cli, neo4j_server):
    result = cli("neo4j", "query", "MATCH (n RETURN n", env=neo4j_server.env)
    assert result.returncode == 2
    assert (
        result.stderr.startswith("Error: Neo4j at ") and "rejected the statement" in result.stderr
    )


def test_an_unreachable_server_is_one_sentence_and_exit_2(cli, demo_store):
    result = cli(
        "neo4j",
        "push",
        "--store",
        demo_store,
        "--uri",
        "bolt://127.0.0.1:1",
        env={"NEO4J_PASSWORD": "not-shown-anywhere"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: cannot reach Neo4j at bolt://127.0.0.1:1: is the server running and is the "
        "address right (--uri, NEO4J_URI)?"
    )
    assert "not-shown-anywhere" not in result.stdout + result.stderr


def test_a_wrong_password_is_one_sentence_exit_2_and_never_printed(
    cli, demo_store, neo4j_auth_server
):
    wrong = "wrong-password-42"
    env = {**neo4j_auth_server.env, "NEO4J_PASSWORD": wrong}
    result = cli("neo4j", "push", "--store", demo_store, env=env)
    assert result.returncode == 2
    assert "refused user 'neo4j': check the password" in result.stderr
    assert wrong not in result.stdout + result.stderr
    right = cli("neo4j", "query", "RETURN 1 AS one", "--format", "csv", env=neo4j_auth_server.env)
    assert right.returncode == 0, right.stderr


def test_settings_come_from_the_config_file_when_no_option_or_variable_names_them(
    cli, neo4j_server, tmp_path
):
    config = tmp_path / "neo4j.toml"
    config.write_text(f'uri = "{neo4j_server.uri}"\nuser = "{neo4j_server.user}"\n')
    if neo4j_server.password is not None:
        config.write_text(config.read_text() + f'password = "{neo4j_server.password}"\n')
    env = {"CITYDIPLO_NEO4J_CONFIG": str(config), "NEO4J_URI": "", "NEO4J_PASSWORD": ""}
    result = cli("neo4j", "query", "RETURN 1 AS one", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["one", "1"]
