"""Centrality: networkx's own numbers, computed faster, ranked the way a researcher reads them."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from citydiplo.errors import QueryError
from citydiplo.graph.projection import ProjectionOptions, project
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries import centrality as centrality_module
from citydiplo.queries.centrality import METRICS, centrality, ranked, relation_network

from conftest import WIKIDATA_2016

WEIMAR = "https://citydiplo.org/id/city/Q3955"

# networkx's answer for each metric. networkx's public pagerank needs scipy, which citydiplo
# does not install: its pure-Python power iteration is the same method. The power
# iterations run to a tight tolerance, so that both sides are exact to about 1e-11.
REFERENCE: dict[str, Callable[[nx.Graph], Mapping[Hashable, float]]] = {
    "degree": lambda graph: dict(graph.degree()),
    "strength": lambda graph: dict(graph.degree(weight="relations")),
    "betweenness": nx.betweenness_centrality,
    "closeness": nx.closeness_centrality,
    "harmonic": nx.harmonic_centrality,
    "eigenvector": lambda graph: nx.eigenvector_centrality(graph, max_iter=100_000, tol=1e-13),
    "pagerank": lambda graph: _pagerank_python(graph, max_iter=100_000, tol=1e-14, weight=None),
    "kcore": nx.core_number,
}


def assert_same(values: Mapping[Hashable, float], expected: Mapping[Hashable, float]) -> None:
    """Equal within 1e-9 (relative for large values such as harmonic sums)."""
    assert values.keys() == expected.keys()
    different = {
        node: (values[node], expected[node])
        for node in expected
        if not math.isclose(values[node], expected[node], rel_tol=1e-9, abs_tol=1e-9)
    }
    assert not different


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    ingest_bundled_dataset(folder / "store", report_dir=folder)
    return folder / "store"


@pytest.fixture(scope="module")
def bundled_graph(bundled_store: Path) -> nx.MultiGraph:
    with open_store(bundled_store) as store:
        return project(store)


@pytest.fixture(scope="module")
def wikidata_2016(tmp_path_factory: pytest.TempPathFactory) -> nx.Graph:
    folder = tmp_path_factory.mktemp("wikidata-2016")
    ingest_partnerships(WIKIDATA_2016, store=folder / "store", report_dir=folder)
    with open_store(folder / "store") as store:
        return relation_network(project(store))


def test_the_network_is_the_related_entities_with_their_relation_counts(bundled_graph) -> None:
    network = relation_network(bundled_graph)

    assert set(network) == {node for node in bundled_graph if bundled_graph.degree(node)}
    assert network.number_of_edges() < bundled_graph.number_of_edges()  # some pairs twice
    strength = centrality(network, "strength")
    assert strength == dict(bundled_graph.degree(network))


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_equals_networkx_on_the_bundled_dataset(bundled_graph, metric: str) -> None:
    network = relation_network(bundled_graph)
    assert not nx.is_connected(network)  # closeness and eigenvector meet several components

    values = centrality(network, metric)

    if metric == "eigenvector":
        # Defined on one component: the others get zero, where networkx's iteration tends.
        largest = network.subgraph(max(nx.connected_components(network), key=len))
        assert_same({n: values[n] for n in largest}, REFERENCE[metric](largest))
        assert all(values[n] < 1e-9 for n in network if n not in largest)
    else:
        assert_same(values, REFERENCE[metric](network))


@pytest.mark.parametrize("metric", ["betweenness", "closeness", "harmonic", "pagerank"])
def test_weighted_metrics_equal_networkx(bundled_graph, metric: str) -> None:
    network = relation_network(bundled_graph)
    expected = {
        "betweenness": lambda: nx.betweenness_centrality(network, weight="relations"),
        "closeness": lambda: nx.closeness_centrality(network, distance="relations"),
        "harmonic": lambda: nx.harmonic_centrality(network, distance="relations"),
        "pagerank": lambda: _pagerank_python(
            network, max_iter=100_000, tol=1e-14, weight="relations"
        ),
    }[metric]()

    assert_same(centrality(network, metric, weight="relations"), expected)


def weimar_neighbourhood(graph: nx.Graph, size: int) -> nx.Graph:
    """The `size` cities nearest Weimar (where the 2016 crawl started), in breadth-first order."""
    order = [WEIMAR, *(city for _, city in nx.bfs_edges(graph, WEIMAR))]
    return graph.subgraph(order[:size]).copy()


@pytest.mark.slow
@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_equals_networkx_on_1200_cities_of_the_2016_snapshot(
    wikidata_2016, metric: str
) -> None:
    subgraph = weimar_neighbourhood(wikidata_2016, 1200)
    assert nx.is_connected(subgraph)

    assert_same(centrality(subgraph, metric), REFERENCE[metric](subgraph))


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["betweenness", "closeness", "harmonic", "kcore"])
def test_distances_equal_networkx_on_a_scattered_sample_of_the_2016_snapshot(
    wikidata_2016, metric: str
) -> None:
    # One city in five, drawn by QID: hundreds of components, leaves, pairs and isolates.
    cities = [city for city in wikidata_2016 if int(city.rsplit("Q", 1)[1]) % 5 == 0]
    subgraph = wikidata_2016.subgraph(cities).copy()
    assert nx.number_connected_components(subgraph) > 100

    assert_same(centrality(subgraph, metric), REFERENCE[metric](subgraph))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 40), st.integers(0, 70), st.integers(0, 10_000))
def test_distance_metrics_equal_networkx_on_any_graph(nodes: int, edges: int, seed: int) -> None:
    graph = nx.gnm_random_graph(nodes, edges, seed=seed)
    for metric in ("betweenness", "closeness", "harmonic", "kcore"):
        assert_same(centrality(graph, metric), REFERENCE[metric](graph))


def test_distances_are_the_same_when_the_bit_sets_are_grown_in_windows(
    bundled_graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = relation_network(bundled_graph)
    assert network.number_of_nodes() > 64
    # The least: 64 target entities at a time, so the bundled network takes two windows.
    monkeypatch.setattr(centrality_module, "_BALL_BYTES", 8)

    assert_same(centrality(network, "closeness"), nx.closeness_centrality(network))
    assert_same(centrality(network, "harmonic"), nx.harmonic_centrality(network))


def test_a_sample_draws_the_sources_networkx_draws_for_the_same_seed(bundled_graph) -> None:
    network = relation_network(bundled_graph)

    estimate = centrality(network, "betweenness", sample=30, seed=7)

    assert_same(estimate, nx.betweenness_centrality(network, k=30, seed=7))
    assert centrality(network, "betweenness", sample=30, seed=7) == estimate
    assert centrality(network, "betweenness", sample=30, seed=8) != estimate


def test_a_sample_of_every_entity_is_the_exact_betweenness(bundled_graph) -> None:
    network = relation_network(bundled_graph)

    everyone = centrality(network, "betweenness", sample=len(network), seed=1)

    assert everyone == centrality(network, "betweenness")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"metric": "fame"}, "unknown metric 'fame'"),
        ({"metric": "closeness", "sample": 10}, "estimates betweenness only"),
        ({"metric": "betweenness", "sample": 1}, "at least 2 sources"),
        ({"metric": "kcore", "weight": "relations"}, "kcore takes no weight"),
    ],
)
def test_impossible_requests_are_refused(arguments: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        centrality(nx.path_graph(4), **arguments)


def test_self_loops_and_the_empty_graph() -> None:
    looped = nx.path_graph(4)
    looped.add_edge(2, 2)

    assert centrality(looped, "kcore") == nx.core_number(nx.path_graph(4))
    assert centrality(looped, "degree") == {0: 1, 1: 2, 2: 2, 3: 1}
    assert centrality(nx.Graph(), "betweenness") == {}


def small_world() -> nx.Graph:
    """A star around Dortmund, plus a pair of Chinese cities; names deliberately unsorted."""
    graph = nx.Graph()
    people = {
        "dortmund": ("Dortmund", "DE"),
        "leeds": ("Leeds", "GB"),
        "amiens": ("Amiens", "FR"),
        "zwickau": ("Zwickau", "DE"),
        "buffalo": ("Buffalo", "US"),
        "xian": ("Xi'an", "CN"),
        "wuhan": ("Wuhan", "CN"),
        "eurocities": ("Eurocities", None),
        "germany": ("Germany", "DE"),
    }
    for iri, (name, country) in people.items():
        graph.add_node(iri, name=name, country=country, type="City")
    graph.nodes["germany"]["type"] = "Country"
    graph.nodes["eurocities"]["type"] = "CityNetwork"
    graph.add_edges_from(
        [("dortmund", other) for other in ("leeds", "amiens", "zwickau", "buffalo")]
    )
    graph.add_edges_from([("xian", "wuhan"), ("leeds", "eurocities")])
    return graph


def test_equal_values_share_a_rank_and_are_listed_by_name() -> None:
    graph = small_world()

    rows = ranked(graph, centrality(graph, "degree"), top=6)

    assert [(row["rank"], row["name"], row["value"]) for row in rows] == [
        (1, "Dortmund", 4),
        (2, "Leeds", 2),
        (3, "Amiens", 1),
        (3, "Buffalo", 1),
        (3, "Eurocities", 1),
        (3, "Wuhan", 1),
    ]
    assert list(rows[0]) == ["rank", "iri", "name", "country", "value"]
    assert rows[0]["iri"] == "dortmund" and rows[0]["country"] == "DE"


def test_ties_survive_floating_point_noise() -> None:
    graph = small_world()
    values = {"amiens": 0.1 + 0.2, "buffalo": 0.3, "dortmund": 0.5}

    assert [row["rank"] for row in ranked(graph, values)] == [1, 2, 2]


def test_by_country_sums_values_and_counts_entities() -> None:
    graph = small_world()
    graph.add_node("island", name="Island", country="DE", type="City")

    rows = ranked(graph, centrality(graph, "degree"), by_country=True)

    # Germany's row is named by the country entity; Eurocities has no country, no row.
    assert rows == [
        {
            "rank": 1,
            "iri": "germany",
            "name": "Germany",
            "country": "DE",
            "value": 5,
            "entities": 4,
        },
        {"rank": 2, "iri": None, "name": "CN", "country": "CN", "value": 2, "entities": 2},
        {"rank": 2, "iri": None, "name": "GB", "country": "GB", "value": 2, "entities": 1},
        {"rank": 4, "iri": None, "name": "FR", "country": "FR", "value": 1, "entities": 1},
        {"rank": 4, "iri": None, "name": "US", "country": "US", "value": 1, "entities": 1},
    ]


def test_a_country_filter_ranks_its_entities_by_their_value_in_the_whole_network() -> None:
    graph = small_world()
    values = centrality(graph, "betweenness")

    rows = ranked(graph, values, country="de")

    assert [(row["rank"], row["name"]) for row in rows] == [
        (1, "Dortmund"),
        (2, "Germany"),
        (2, "Zwickau"),
    ]
    assert rows[0]["value"] == values["dortmund"]


def test_dortmund_is_the_most_central_city_of_the_bundled_twinnings(bundled_graph) -> None:
    with_twinnings = relation_network(
        bundled_graph.edge_subgraph(
            (a, b, key)
            for a, b, key, layer in bundled_graph.edges(keys=True, data="layer")
            if layer == "twinning"
        )
    )

    rows = ranked(bundled_graph, centrality(with_twinnings, "betweenness"), top=1)

    assert rows[0]["name"] == "Dortmund"


# --- the command, as users run it (after cli.py registers it) ------------------------------
def test_cli_prints_the_json_contract(cli, bundled_store: Path) -> None:
    result = cli(
        "centrality",
        "--metric",
        "betweenness",
        "--top",
        "5",
        "--format",
        "json",
        "--store",
        bundled_store,
    )

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert all(list(row) == ["rank", "iri", "name", "country", "value"] for row in rows)
    with open_store(bundled_store) as store:
        network = relation_network(project(store))
    expected = nx.betweenness_centrality(network)
    for row in rows:
        assert math.isclose(row["value"], expected[row["iri"]], rel_tol=1e-9, abs_tol=1e-12)
    assert [row["value"] for row in rows] == sorted((row["value"] for row in rows), reverse=True)


def test_cli_ranks_countries_and_filters_layers_and_years(cli, bundled_store: Path) -> None:
    by_country = cli(
        "centrality",
        "--metric",
        "degree",
        "--by",
        "country",
        "--layers",
        "twinning",
        "--format",
        "json",
        "--store",
        bundled_store,
    )
    in_1990 = cli(
        "centrality",
        "--metric",
        "strength",
        "--layers",
        "twinning",
        "--as-of",
        "1990",
        "--country",
        "DE",
        "--format",
        "csv",
        "--store",
        bundled_store,
    )

    assert by_country.returncode == 0, by_country.stderr
    countries = json.loads(by_country.stdout)
    assert countries[0]["country"] == "DE" and countries[0]["name"] == "Germany"
    assert all(
        {"rank", "iri", "name", "country", "value", "entities"} == set(row) for row in countries
    )
    with open_store(bundled_store) as store:
        twinnings = project(store, ProjectionOptions(layers=("twinning",), as_of=1990))
    german = {
        twinnings.nodes[n]["name"]: twinnings.degree(n)
        for n in twinnings
        if twinnings.nodes[n]["country"] == "DE" and twinnings.degree(n)
    }
    assert in_1990.returncode == 0, in_1990.stderr
    lines = in_1990.stdout.splitlines()
    assert lines[0] == "rank,name,country,value,iri"
    assert {line.split(",")[1]: int(line.split(",")[3]) for line in lines[1:]} == german


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--metric", "closeness", "--sample", "10"), "estimates betweenness only"),
        (("--country", "Germany"), "two-letter ISO code such as DE"),
        (("--layers", "twinning,friends"), "unknown layer(s) friends"),
    ],
)
def test_cli_explains_impossible_requests(
    cli, bundled_store: Path, arguments: tuple[str, ...], message: str
) -> None:
    result = cli("centrality", *arguments, "--store", bundled_store)

    assert result.returncode == 2
    assert message in result.stderr
