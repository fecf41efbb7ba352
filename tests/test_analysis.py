"""The shape of the network: statistics, communities, the country matrix, the timeline, the
named SPARQL queries and the export for network tools.

The promises checked against answers computed here independently: the 2016 Wikidata
snapshot's figures equal networkx's over the raw relations.tsv; the matrix equals a count
over the raw twin-cities-2026 files; each named query agrees with the networkx projection
(or the library function) answering the same question; networkx reads an exported GraphML
or GEXF file back equal.
"""

from __future__ import annotations

import csv
import json
import random
import statistics
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from citydiplo.errors import QueryError
from citydiplo.graph.export_network import portable, write_network
from citydiplo.graph.projection import ProjectionOptions, project, simple
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries import network_stats
from citydiplo.queries.centrality import centrality, relation_network
from citydiplo.queries.communities import communities
from citydiplo.queries.named import named_queries, parse_named_query, run_named
from citydiplo.queries.network_stats import (
    country_matrix,
    network_statistics,
    network_statistics_of_store,
)
from citydiplo.queries.networks import network_members
from citydiplo.queries.timeline import timeline

from conftest import ROOT, TWIN_CITIES_2026, WIKIDATA_2016

# nx.average_shortest_path_length over the raw relations.tsv (71 s, measured once; too slow
# to repeat in every run, where the sampled figures are compared with networkx instead).
WIKIDATA_2016_MEAN_DISTANCE = 7.397202060637847


# --- stores, built once per module ---------------------------------------------------------
@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    ingest_bundled_dataset(folder / "store", report_dir=folder)
    return folder / "store"


@pytest.fixture(scope="module")
def bundled_graph(bundled: Path) -> nx.MultiGraph:
    with open_store(bundled) as store:
        return project(store)


@pytest.fixture(scope="module")
def wikidata_2016(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wikidata-2016")
    ingest_partnerships(WIKIDATA_2016, store=folder / "store", report_dir=folder)
    return folder / "store"


@pytest.fixture(scope="module")
def wikidata_2016_graph(wikidata_2016: Path) -> nx.MultiGraph:
    with open_store(wikidata_2016) as store:
        return project(store, ProjectionOptions(layers=("twinning",)))


@pytest.fixture(scope="module")
def twin_cities_2026(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("twin-cities-2026")
    ingest_partnerships(TWIN_CITIES_2026, store=folder / "store", report_dir=folder)
    return folder / "store"


def raw_wikidata_2016() -> nx.Graph:
    """The 2016 snapshot straight from relations.tsv: one undirected edge per QID pair."""
    graph = nx.Graph()
    with (WIKIDATA_2016 / "relations.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            a, b = line.split()
            graph.add_edge(a, b)
    return graph


def pearson_of_degrees(graph: nx.Graph) -> float:
    """Degree assortativity as the plain Pearson correlation over both ends of every edge."""
    ends = [(graph.degree(a), graph.degree(b)) for a, b in graph.edges()]
    ends += [(k, j) for j, k in ends]
    return statistics.correlation([j for j, _ in ends], [k for _, k in ends])


def linked(graph: nx.MultiGraph) -> nx.Graph:
    flat = simple(graph)
    flat.remove_nodes_from([node for node, degree in flat.degree() if degree == 0])
    return flat


# --- network statistics --------------------------------------------------------------------
@pytest.mark.slow
def test_2016_statistics_equal_networkx_over_the_raw_tsv(wikidata_2016: Path) -> None:
    raw = raw_wikidata_2016()
    with open_store(wikidata_2016) as store:
        stats = network_statistics_of_store(store)

    degrees = [degree for _, degree in raw.degree()]
    components = [len(c) for c in nx.connected_components(raw)]
    largest = raw.subgraph(max(nx.connected_components(raw), key=len))
    assert stats["nodes"] == raw.number_of_nodes() == 10_055
    assert stats["edges"] == raw.number_of_edges() == 17_401
    assert stats["mean_degree"] == pytest.approx(sum(degrees) / len(degrees))
    assert stats["max_degree"] == max(degrees)
    assert stats["transitivity"] == nx.transitivity(raw)
    assert stats["degree_assortativity"] == pytest.approx(pearson_of_degrees(raw), rel=1e-12)
    assert stats["components"] == len(components)
    assert stats["largest_component"] == max(components)
    assert stats["diameter"] == nx.diameter(largest, usebounds=True) == 25
    assert stats["mean_distance"] == pytest.approx(WIKIDATA_2016_MEAN_DISTANCE, rel=1e-12)
    assert stats["distance_method"] == "exact"


@pytest.mark.slow
def test_2016_sampled_distances_equal_networkx_from_the_same_sources(
    wikidata_2016_graph: nx.MultiGraph,
) -> None:
    raw = raw_wikidata_2016()
    stats = network_statistics(wikidata_2016_graph, sample=200, seed=7)

    # The documented draw: indices into the nodes in the order of their IRIs, which is the
    # order of their QIDs (every IRI is the same prefix and the QID).
    qids = sorted(raw)
    sources = [qids[i] for i in random.Random(7).sample(range(len(qids)), 200)]
    lengths = [nx.single_source_shortest_path_length(raw, source) for source in sources]
    assert stats["mean_distance"] == sum(sum(d.values()) for d in lengths) / (200 * (len(qids) - 1))
    assert stats["diameter"] == max(max(d.values()) for d in lengths)
    assert stats["distance_method"] == "sampled (200 sources, seed 7)"


def test_bundled_statistics_equal_networkx(bundled: Path, bundled_graph) -> None:
    for layers in (("twinning",), ("twinning", "membership", "contact", "tie")):
        with open_store(bundled) as store:
            stats = network_statistics_of_store(store, layers)
        graph = linked(project_layers(bundled_graph, layers))
        largest = graph.subgraph(max(nx.connected_components(graph), key=len))

        assert stats["nodes"] == graph.number_of_nodes()
        assert stats["edges"] == graph.number_of_edges()
        assert stats["transitivity"] == nx.transitivity(graph)
        assert stats["degree_assortativity"] == pytest.approx(pearson_of_degrees(graph))
        assert stats["components"] == nx.number_connected_components(graph)
        assert stats["largest_component"] == largest.number_of_nodes()
        assert stats["diameter"] == nx.diameter(largest)
        assert stats["mean_distance"] == pytest.approx(nx.average_shortest_path_length(largest))


def project_layers(graph: nx.MultiGraph, layers: tuple[str, ...]) -> nx.MultiGraph:
    kept = nx.MultiGraph()
    kept.add_nodes_from(graph.nodes(data=True))
    kept.add_edges_from(
        (a, b, key, data)
        for a, b, key, data in graph.edges(keys=True, data=True)
        if data["layer"] in layers
    )
    return kept


def test_distances_are_exact_across_batches_of_sources(monkeypatch) -> None:
    graph = nx.connected_watts_strogatz_graph(300, 4, 0.1, seed=3)
    monkeypatch.setattr(network_stats, "_BATCH", 7)

    stats = network_statistics(graph)

    assert stats["diameter"] == nx.diameter(graph)
    assert stats["mean_distance"] == pytest.approx(nx.average_shortest_path_length(graph))


def test_large_components_are_sampled_and_say_so(monkeypatch) -> None:
    monkeypatch.setattr(network_stats, "EXACT_DISTANCES_UP_TO", 50)
    monkeypatch.setattr(network_stats, "DEFAULT_SAMPLE", 10)

    stats = network_statistics(nx.path_graph(60), seed=1)

    assert stats["distance_method"] == "sampled (10 sources, seed 1)"
    assert stats["diameter"] <= 59


def test_statistics_of_small_and_empty_graphs() -> None:
    assert network_statistics(nx.Graph()) == {
        "nodes": 0,
        "edges": 0,
        "mean_degree": 0.0,
        "max_degree": 0,
        "transitivity": 0,
        "degree_assortativity": None,
        "components": 0,
        "largest_component": 0,
        "diameter": None,
        "mean_distance": None,
        "distance_method": "exact",
    }
    star = network_statistics(nx.star_graph(3))
    assert star["degree_assortativity"] == pytest.approx(-1.0)
    assert (star["diameter"], star["mean_distance"]) == (2, 1.5)
    # Every end of every edge has degree 2: the correlation is undefined.
    assert network_statistics(nx.cycle_graph(5))["degree_assortativity"] is None


def test_a_sample_needs_a_source() -> None:
    with pytest.raises(QueryError, match="at least one source"):
        network_statistics(nx.path_graph(5), sample=0)


# --- communities ---------------------------------------------------------------------------
def shuffled(graph: nx.MultiGraph, seed: int) -> nx.MultiGraph:
    """The same graph built in another order."""
    nodes, edges = list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True))
    random.Random(seed).shuffle(nodes)
    random.Random(seed).shuffle(edges)
    copy = nx.MultiGraph()
    copy.add_nodes_from(nodes)
    copy.add_edges_from(edges)
    return copy


def test_communities_are_reproducible_with_a_seed(bundled_graph) -> None:
    first = communities(bundled_graph, seed=4)

    assert communities(shuffled(bundled_graph, 1), seed=4) == first
    assert sum(row["size"] for row in first) == linked(bundled_graph).number_of_nodes()
    assert [row["community"] for row in first] == list(range(1, len(first) + 1))
    assert [row["size"] for row in first] == sorted((row["size"] for row in first), reverse=True)


def test_communities_name_countries_and_best_connected_members(bundled: Path) -> None:
    with open_store(bundled) as store:
        graph = project(store, ProjectionOptions(layers=("twinning",)))

    rows = communities(graph, seed=0, top_members=3)

    dortmund = next(row for row in rows if "Dortmund" in row["members"])
    assert dortmund["members"][0] == "Dortmund"  # 13 partners, the most of any city
    assert len(dortmund["members"]) <= 3
    assert list(dortmund["countries"].values()) == sorted(
        dortmund["countries"].values(), reverse=True
    )
    # The shares of the modularity sum to the partition's modularity.
    weighted = nx.Graph(linked(graph))
    assert 0 < sum(row["modularity"] for row in rows) <= 1 - 1 / weighted.number_of_edges()


@pytest.mark.slow
def test_2016_communities_do_not_depend_on_the_order_of_the_graph(
    wikidata_2016_graph: nx.MultiGraph,
) -> None:
    graph = wikidata_2016_graph

    rows = communities(graph, seed=2)

    assert communities(shuffled(graph, 5), seed=2) == rows
    assert sum(row["size"] for row in rows) == 10_055
    assert 0.6 < sum(row["modularity"] for row in rows) < 1


# --- the country matrix --------------------------------------------------------------------
def raw_twin_cities_matrix() -> Counter[tuple[str, str]]:
    """Unordered country pair → links, from nodes.tsv and links.tsv with the csv module.

    Taiwan is written CN-TW there; XC and XS (Northern Cyprus, Somaliland) are no ISO
    countries, so their cities have no country and their links are not counted.
    """
    with (TWIN_CITIES_2026 / "nodes.tsv").open(encoding="utf-8", newline="") as handle:
        country = {
            row["id"]: {"CN-TW": "TW"}.get(row["countrycd"], row["countrycd"])
            for row in csv.DictReader(handle, delimiter="\t")
            if row["countrycd"] not in ("XC", "XS", "")
        }
    counts: Counter[tuple[str, str]] = Counter()
    with (TWIN_CITIES_2026 / "links.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["source"] in country and row["target"] in country:
                a, b = sorted((country[row["source"]], country[row["target"]]))
                counts[a, b] += 1
    return counts


@pytest.mark.slow
def test_matrix_equals_a_count_over_the_raw_twin_cities_files(twin_cities_2026: Path) -> None:
    with open_store(twin_cities_2026) as store:
        rows = country_matrix(store)

    expected = raw_twin_cities_matrix()
    cells = {(row["country_a"], row["country_b"]): row["twinnings"] for row in rows}
    assert {(a, b): n for (a, b), n in cells.items() if a <= b} == dict(expected)
    # Symmetric: a pair of different countries both ways, with the same count.
    assert all(cells[b, a] == n for (a, b), n in cells.items())
    assert cells["DE", "PL"] == expected["DE", "PL"] > 300


@pytest.mark.slow
def test_matrix_keeps_the_countries_asked_for(twin_cities_2026: Path) -> None:
    with open_store(twin_cities_2026) as store:
        chosen = country_matrix(store, countries=["de", "FR", "cn"])
        top = country_matrix(store, top=3)

    per_country: Counter[str] = Counter()
    for (a, b), n in raw_twin_cities_matrix().items():
        per_country.update({a: n} if a == b else {a: n, b: n})
    assert {row["country_a"] for row in chosen} == {"DE", "FR", "CN"}
    assert {row["country_a"] for row in top} == {c for c, _ in per_country.most_common(3)}


def test_matrix_by_kind_counts_only_that_kind(bundled: Path) -> None:
    with open_store(bundled) as store:
        every = country_matrix(store, countries=["DE", "CN"])
        partnerships = country_matrix(store, countries=["DE", "CN"], kinds=["Partnerschaft"])
        with pytest.raises(QueryError, match="not a twinning kind"):
            country_matrix(store, kinds=["alliance"])

    assert {(r["country_a"], r["country_b"]): r["twinnings"] for r in partnerships} == {
        ("CN", "DE"): 4,  # Dortmund–Xi'an, Duisburg–Wuhan, Essen–Changzhou, Gladbeck–Fushun
        ("DE", "CN"): 4,
        ("DE", "DE"): 1,
    }
    # Three contacts with Pingdingshan and three partner provinces of NRW besides.
    assert (
        next(r["twinnings"] for r in every if (r["country_a"], r["country_b"]) == ("CN", "DE"))
        == 10
    )


# --- the timeline --------------------------------------------------------------------------
def raw_since_years(name: str) -> list[str]:
    with (ROOT / "data" / "demo" / name).open(encoding="utf-8", newline="") as handle:
        return [row["since"] for row in csv.DictReader(handle)]


def test_timeline_counts_the_bundled_relations_by_decade(bundled: Path) -> None:
    with open_store(bundled) as store:
        graph = project(store, ProjectionOptions(layers=("twinning", "membership")))

    rows = timeline(graph)

    twinning_years = raw_since_years("partnerships.csv")
    membership_years = raw_since_years("memberships.csv")
    dated = [row for row in rows if row["period"] != "undated"]
    assert [row["start"] for row in dated] == list(range(1970, 2030, 10))
    for row in dated:
        assert row["new_twinnings"] == sum(
            row["start"] <= int(y[:4]) <= row["end"] for y in twinning_years if y
        )
        assert row["new_memberships"] == sum(
            row["start"] <= int(y[:4]) <= row["end"] for y in membership_years if y
        )
    assert rows[-1] == {
        "period": "undated",
        "start": None,
        "end": None,
        "new_twinnings": twinning_years.count(""),
        "new_memberships": membership_years.count(""),
        "twinnings_active": None,
        "memberships_active": None,
    }
    # Nothing in the bundle has ended: the network only grows.
    assert dated[-1]["twinnings_active"] == sum(1 for y in twinning_years if y)


def test_a_relation_is_active_from_since_to_until() -> None:
    graph = nx.MultiGraph()
    graph.add_edge("a", "b", layer="twinning", since="1958", until="1991-12-25")
    graph.add_edge("a", "c", layer="twinning", since="1985", until=None)
    graph.add_edge("a", "n", layer="membership", since="1990", until="1995")
    graph.add_edge("a", "d", layer="contact", since="1960", until=None)

    rows = {row["period"]: row for row in timeline(graph)}

    assert list(rows) == ["1950–1959", "1960–1969", "1970–1979", "1980–1989", "1990–1999"]
    assert rows["1980–1989"]["twinnings_active"] == 2
    assert rows["1990–1999"]["twinnings_active"] == 1  # a–b ended in 1991
    assert rows["1990–1999"]["memberships_active"] == 0  # ended 1995, before 1999
    assert [row["new_twinnings"] for row in timeline(graph, step=25)] == [1, 1]


# --- named SPARQL queries ------------------------------------------------------------------
EXAMPLE_VALUES = {"city": "Dortmund", "network": "Eurocities", "country": "CN"}


def test_every_named_query_is_documented_and_projects_its_parameters(bundled: Path) -> None:
    queries = named_queries()
    assert {
        "degree_ranking",
        "twinnings_of_city",
        "network_members",
        "twinnings_with_country",
        "ties_with_country",
        "twinnings_by_country_pair",
        "wikidata_p190",
    } <= set(queries)
    with open_store(bundled) as store:
        for query in queries.values():
            assert query.description.endswith("."), query.name
            params = {p.name: EXAMPLE_VALUES[p.name] for p in query.parameters}
            answer = run_named(store, query.name, params)
            assert answer.rows, query.name
            assert set(params) <= set(answer.columns), query.name


def test_degree_ranking_equals_degrees_in_the_twinning_projection(bundled: Path) -> None:
    with open_store(bundled) as store:
        rows = run_named(store, "degree_ranking").rows
        graph = project(store, ProjectionOptions(layers=("twinning",)))

    flat = linked(graph)
    assert {row["place"]: row["partners"] for row in rows} == dict(flat.degree())
    assert {row["place"]: row["twinnings"] for row in rows} == {
        node: degree for node, degree in graph.degree() if degree
    }
    assert [row["partners"] for row in rows] == sorted(
        (row["partners"] for row in rows), reverse=True
    )


@pytest.mark.slow
def test_2016_degree_ranking_equals_degrees_in_the_raw_tsv(wikidata_2016: Path) -> None:
    with open_store(wikidata_2016) as store:
        rows = run_named(store, "degree_ranking").rows

    raw = raw_wikidata_2016()
    assert {row["place"].rsplit("/", 1)[1]: row["partners"] for row in rows} == dict(raw.degree())
    assert rows[0]["partners"] == max(degree for _, degree in raw.degree()) == 98


def test_twinnings_of_a_city_agree_with_its_edges_and_evidence(bundled: Path) -> None:
    with open_store(bundled) as store:
        rows = run_named(store, "twinnings_of_city", {"city": "Dortmund"}).rows
        graph = project(store, ProjectionOptions(layers=("twinning",)))

    dortmund = rows[0]["place"]
    edges = {
        data["relation"]: (graph.nodes[other]["name"], data)
        for _, other, data in graph.edges(dortmund, data=True)
    }
    assert {row["twinning"] for row in rows} == set(edges)
    for row in rows:
        partner, data = edges[row["twinning"]]
        assert (row["partner_name"], row["kind"], row["since"], row["status"]) == (
            partner,
            data["kind"],
            data["since"],
            data["status"],
        )
        assert (row["source"], row["row"], row["citation"]) == (
            data["source"],
            data["row"],
            data["citation"],
        )
    buffalo = next(row for row in rows if row["partner_name"] == "Buffalo")
    assert (buffalo["since"], buffalo["row"]) == ("1978", 5)


def test_members_of_a_network_agree_with_the_members_question(bundled: Path) -> None:
    with open_store(bundled) as store:
        rows = run_named(store, "network_members", {"network": "Eurocities"}).rows
        expected = network_members(store, "Eurocities")

    assert len(rows) == len(expected) == 22
    assert {(r["member"], r["source"], r["row"], r["country"]) for r in rows} == {
        (r["iri"], r["source"], r["row"], r["country"]) for r in expected
    }


def country_of(graph: nx.MultiGraph, node: str) -> str | None:
    return graph.nodes[node].get("country")


def test_twinnings_with_a_country_agree_with_the_projection(bundled: Path) -> None:
    with open_store(bundled) as store:
        rows = run_named(store, "twinnings_with_country", {"country": "cn"}).rows
        graph = project(store, ProjectionOptions(layers=("twinning",)))

    expected = {
        data["relation"]
        for a, b, data in graph.edges(data=True)
        if (country_of(graph, a) == "CN") != (country_of(graph, b) == "CN")
    }
    assert {row["twinning"] for row in rows} == expected
    assert len(expected) == 10
    assert {row["country"] for row in rows} == {"CN"}


def test_ties_with_a_country_agree_with_the_projection(bundled: Path) -> None:
    with open_store(bundled) as store:
        rows = run_named(store, "ties_with_country", {"country": "CN"}).rows
        graph = project(store, ProjectionOptions(layers=("tie",)))

    expected = {
        data["relation"]
        for a, b, data in graph.edges(data=True)
        if data["kind"] != "located in"
        and (country_of(graph, a) == "CN") != (country_of(graph, b) == "CN")
    }
    assert {row["tie"] for row in rows} == expected
    cosco = next(row for row in rows if row["actor_name"] == "COSCO")
    assert (cosco["kind"], cosco["counterpart_name"], cosco["located_in"], cosco["share"]) == (
        "stake",
        "Duisburg Gateway Terminal",
        "Duisburg",
        30.0,
    )


def test_named_query_parameters_are_bound_never_spliced(bundled: Path) -> None:
    with open_store(bundled) as store:
        hostile = 'Dortmund" } UNION { ?place ?p ?city } #'
        assert run_named(store, "twinnings_of_city", {"city": hostile}).rows == []


def test_named_query_mistakes_are_explained(bundled: Path) -> None:
    with open_store(bundled) as store:
        with pytest.raises(QueryError, match="no named query 'degree'; the named queries are"):
            run_named(store, "degree")
        with pytest.raises(QueryError, match=r"needs a value for city \(--param city=…\)"):
            run_named(store, "twinnings_of_city")
        with pytest.raises(QueryError, match="has no parameter town; it takes city"):
            run_named(store, "twinnings_of_city", {"city": "Dortmund", "town": "x"})


def test_a_parameter_of_unknown_type_is_refused() -> None:
    text = "# Something.\n#\n# Parameters:\n#   ?city (place) a city\nSELECT ?city {}\n"
    with pytest.raises(ValueError, match="type 'place'"):
        parse_named_query("broken", text)


# --- export --------------------------------------------------------------------------------
def edge_list(graph: nx.MultiGraph, drop: tuple[str, ...] = ()) -> list[tuple]:
    return sorted(
        (
            *sorted((a, b)),
            sorted((k, v) for k, v in data.items() if k not in drop),
        )
        for a, b, data in graph.edges(data=True)
    )


@pytest.fixture(scope="module")
def centralities(bundled_graph) -> dict[str, dict]:
    network = relation_network(bundled_graph)
    return {metric: centrality(network, metric) for metric in ("degree", "betweenness")}


@pytest.mark.parametrize(
    ("fmt", "read", "added_by_reader"),
    [("graphml", nx.read_graphml, ("id",)), ("gexf", nx.read_gexf, ("id",))],
)
def test_networkx_reads_the_export_back_equal(
    bundled_graph, centralities, tmp_path: Path, fmt, read, added_by_reader
) -> None:
    path = tmp_path / f"network.{fmt}"

    assert write_network(bundled_graph, path, fmt, node_values=centralities) == [path]

    expected = portable(bundled_graph, centralities)
    back = read(path)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    assert edge_list(back, added_by_reader) == edge_list(expected)
    iri, dortmund = next((n, d) for n, d in back.nodes(data=True) if d["name"] == "Dortmund")
    assert dortmund["degree"] == centralities["degree"][iri] == 18
    assert dortmund["betweenness"] == pytest.approx(centralities["betweenness"][iri])


def test_export_leaves_out_missing_values_and_joins_lists(tmp_path: Path) -> None:
    graph = nx.MultiGraph()
    graph.add_node("a", name="A", type="City", country=None)
    graph.add_node("b", name="B", type="City", country="DE")
    graph.add_node("c", name="C", type="City", country="DE")  # no relation: left out
    graph.add_edge("a", "b", relation="r1", since=None, observed=[2019, 2020])

    write_network(graph, tmp_path / "n.graphml", "graphml", node_values={"score": {"a": 0.5}})
    back = nx.read_graphml(tmp_path / "n.graphml")

    assert dict(back.nodes(data=True)) == {
        "a": {"name": "A", "type": "City", "label": "A", "score": 0.5},
        "b": {"name": "B", "type": "City", "country": "DE", "label": "B"},
    }
    assert [data for _, _, data in back.edges(data=True)] == [
        {"relation": "r1", "observed": "2019; 2020", "id": "0"}  # the reader adds the id
    ]


def test_csv_export_is_a_node_table_and_an_edge_table(
    bundled_graph, centralities, tmp_path: Path
) -> None:
    written = write_network(bundled_graph, tmp_path / "net.csv", "csv", node_values=centralities)

    assert written == [tmp_path / "net.nodes.csv", tmp_path / "net.edges.csv"]
    with written[0].open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with written[1].open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    network = relation_network(bundled_graph)
    assert len(nodes) == network.number_of_nodes()
    assert len(edges) == bundled_graph.number_of_edges()
    assert list(nodes[0]) == ["Id", "Label", "name", "type", "country", "degree", "betweenness"]
    dortmund = next(row for row in nodes if row["Label"] == "Dortmund")
    assert int(dortmund["degree"]) == network.degree(dortmund["Id"])
    buffalo = next(
        row
        for row in edges
        if dortmund["Id"] in (row["Source"], row["Target"]) and row["since"] == "1978"
    )
    assert (buffalo["Type"], buffalo["kind"], buffalo["row"]) == ("Undirected", "partnership", "5")


# --- the commands, as a user runs them -------------------------------------------------------
def test_communities_command_is_reproducible_across_runs(cli, bundled: Path) -> None:
    runs = [
        cli("communities", "--store", bundled, "--seed", "3", "--format", "json") for _ in range(2)
    ]

    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    rows = json.loads(runs[0].stdout)
    assert set(rows[0]) == {"community", "size", "countries", "members", "modularity"}


def test_matrix_command_prints_the_matrix_and_the_long_form(cli, bundled: Path) -> None:
    table = cli("matrix", "--store", bundled, "--countries", "DE,CN,US")
    long = cli("matrix", "--store", bundled, "--countries", "DE,CN,US", "--format", "csv")

    assert table.returncode == 0, table.stderr
    assert "country" in table.stdout and "total" in table.stdout
    assert long.stdout.splitlines()[:3] == [
        "country_a,country_b,twinnings",
        "CN,DE,10",
        "DE,CN,10",
    ]


def test_timeline_and_export_commands(cli, bundled: Path, tmp_path: Path) -> None:
    timeline_run = cli("timeline", "--store", bundled, "--format", "json")
    export_run = cli(
        "export-network",
        "--store",
        bundled,
        "--format",
        "gexf",
        "--layers",
        "twinning",
        "--metrics",
        "degree,pagerank",
        "-o",
        tmp_path / "t.gexf",
    )
    unknown = cli("export-network", "--store", bundled, "--metrics", "fame", "-o", tmp_path / "x")

    assert timeline_run.returncode == 0, timeline_run.stderr
    assert json.loads(timeline_run.stdout)[0]["period"] == "1970–1979"
    assert export_run.returncode == 0, export_run.stderr
    back = nx.read_gexf(tmp_path / "t.gexf")
    assert {"degree", "pagerank"} <= set(next(iter(back.nodes.values())))
    assert unknown.returncode == 2
    assert "unknown metric 'fame'" in unknown.stderr
