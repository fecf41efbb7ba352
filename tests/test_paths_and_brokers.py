"""Explained paths and brokers: answers a researcher can check hop by hop."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citydiplo.errors import QueryError
from citydiplo.graph.projection import ProjectionOptions, project, simple
from citydiplo.graph.store import open_store
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries.brokers import separated_by_removal
from citydiplo.queries.entities import entity_index, find_entity
from citydiplo.queries.paths import explained_paths

RUHR = (
    "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"
    "Dortmund,DE,Buffalo,US,Partnerschaft,1978,,,IP 24.1.2025\n"
    "Buffalo,US,Aberdeen,GB,Partnerschaft,1970,2000,,Buffalo city list\n"
    "Dortmund,DE,Leeds,GB,Partnerschaft,1969,,,Stadt Dortmund\n"
    "Leeds,GB,Lille,FR,Partnerschaft,1990,,,Leeds city list\n"
    "Köln,DE,Lille,FR,Freundschaft,1958,,,Köln city list\n"
)


@pytest.fixture
def ruhr_store(tmp_path: Path) -> Path:
    data = tmp_path / "ruhr.csv"
    data.write_text(RUHR, encoding="utf-8")
    store = tmp_path / "store"
    ingest_partnerships(data, store=store)
    return store


def test_a_path_names_every_hop_with_its_evidence(ruhr_store: Path) -> None:
    with open_store(ruhr_store) as store:
        graph = project(store)
        index = entity_index(store)
    dortmund, cologne = find_entity(index, "Dortmund"), find_entity(index, "Cologne")

    answer = explained_paths(graph, dortmund.iri, cologne.iri)

    assert answer.found
    hops = [
        (h.source_entity, h.target_entity, h.kind, h.since, h.citation) for h in answer.paths[0]
    ]
    assert hops == [
        ("Dortmund", "Leeds", "partnership", "1969", "Stadt Dortmund"),
        ("Leeds", "Lille", "partnership", "1990", "Leeds city list"),
        ("Lille", "Köln", "friendship", "1958", "Köln city list"),
    ]


def test_no_path_says_why(ruhr_store: Path, tmp_path: Path) -> None:
    island = tmp_path / "island.csv"
    island.write_text(RUHR.splitlines()[0] + "\nWuhan,CN,Duisburg,DE,Partnerschaft,1982,,,x\n")
    ingest_partnerships(island, store=ruhr_store)
    with open_store(ruhr_store) as store:
        graph = project(store)
        index = entity_index(store)

    answer = explained_paths(
        graph, find_entity(index, "Dortmund").iri, find_entity(index, "Wuhan").iri
    )

    assert not answer.found
    assert "different components" in answer.reason


def test_a_year_keeps_only_the_relations_active_then(ruhr_store: Path) -> None:
    with open_store(ruhr_store) as store:
        in_1975 = project(store, ProjectionOptions(as_of=1975))
        in_2010 = project(store, ProjectionOptions(as_of=2010))
    kinds = {(d["since"], d["until"]) for _, _, d in in_2010.edges(data=True)}
    assert ("1970", "2000") not in kinds  # Buffalo–Aberdeen ended in 2000
    assert in_1975.number_of_edges() == 3  # Dortmund–Leeds, Köln–Lille, Buffalo–Aberdeen


def test_unknown_and_misspelt_names_get_suggestions(ruhr_store: Path) -> None:
    with open_store(ruhr_store) as store:
        index = entity_index(store)
    with pytest.raises(QueryError, match="did you mean Dortmund"):
        find_entity(index, "Dortmnud")


def test_brokers_are_ranked_by_how_many_they_cut_off(ruhr_store: Path) -> None:
    with open_store(ruhr_store) as store:
        graph = simple(project(store))
    names = {graph.nodes[n]["name"]: count for n, count in separated_by_removal(graph).items()}
    # The chain Aberdeen–Buffalo–Dortmund–Leeds–Lille–Köln: Dortmund and Leeds cut off 2 each.
    assert names == {"Buffalo": 1, "Dortmund": 2, "Leeds": 2, "Lille": 1}


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(0, 60), st.integers(0, 10_000))
def test_separation_counts_equal_removing_each_vertex(nodes: int, edges: int, seed: int) -> None:
    graph = nx.gnm_random_graph(nodes, edges, seed=seed)
    expected = {}
    for vertex in nx.articulation_points(graph):
        component = nx.node_connected_component(graph, vertex)
        rest = graph.subgraph(component - {vertex})
        expected[vertex] = len(component) - 1 - max(len(c) for c in nx.connected_components(rest))
    assert separated_by_removal(graph) == expected


def test_a_projection_is_cached_until_the_store_changes(tmp_path: Path) -> None:
    # Data no other test uses: the cache is shared by every store holding the same sources.
    own = tmp_path / "own.csv"
    own.write_text(RUHR.replace("Köln,DE,Lille,FR", "Bonn,DE,Oxford,GB"), encoding="utf-8")
    ruhr_store = tmp_path / "own-store"
    ingest_partnerships(own, store=ruhr_store)
    with open_store(ruhr_store) as store:
        first = project(store)
        assert project(store) is first  # same process: the very same graph
    cached = list((tmp_path / "cache").glob("projection-*.pickle"))
    assert len(cached) == 1

    more = tmp_path / "more.csv"
    more.write_text(RUHR.splitlines()[0] + "\nWuhan,CN,Duisburg,DE,Partnerschaft,1982,,,x\n")
    ingest_partnerships(more, store=ruhr_store)
    with open_store(ruhr_store) as store:
        after = project(store)
    assert after.number_of_edges() == first.number_of_edges() + 1
    assert len(list((tmp_path / "cache").glob("projection-*.pickle"))) == 2
