"""Paths explained hop by hop, brokers per layer and of the federal level, what-if removals:
on the bundled dataset, on small graphs against brute force, and on the 2026 twin network."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citydiplo.errors import QueryError
from citydiplo.graph.projection import LAYERS, ProjectionOptions, project, simple
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.memberships import ingest_memberships
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries.brokers import (
    bridges_separation,
    brokers_by_layer,
    separated_by_removal,
)
from citydiplo.queries.entities import entity_index, find_entity
from citydiplo.queries.federal import (
    channel_directions,
    channel_graph,
    federal_channels,
    sole_federal_channels,
)
from citydiplo.queries.paths import layer_view, paths_between
from citydiplo.queries.whatif import Removal, check_removal, what_if

from conftest import TWIN_CITIES_2026

IP_2025 = (
    "Martin van der Pütten and Ayan Huseynova, „Starke Städte sorgen für außenpolitische "
    "Stabilität“, Internationale Politik (DGAP), 24 January 2025"
)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    ingest_bundled_dataset(folder / "store", report_dir=folder)
    return folder / "store"


@pytest.fixture(scope="module")
def graph(bundled: Path) -> nx.MultiGraph:
    with open_store(bundled) as store:
        return project(store)


@pytest.fixture(scope="module")
def iri(bundled: Path):
    with open_store(bundled) as store:
        index = entity_index(store)
    return lambda name: find_entity(index, name).iri


@pytest.fixture(scope="module")
def channels(bundled: Path, graph: nx.MultiGraph) -> nx.MultiDiGraph:
    with open_store(bundled) as store:
        return channel_graph(graph, channel_directions(store))


# --- paths ---------------------------------------------------------------------------------


def test_each_hop_names_its_kind_year_and_source(graph, iri) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Pittsburgh"))

    assert answer.as_dict() == {
        "found": True,
        "paths": [
            [
                {
                    "from": "Dortmund",
                    "to": "Pittsburgh",
                    "relation": answer.paths[0][0].relation,
                    "layer": "twinning",
                    "kind": "innovation",
                    "since": "2021",
                    "source": IP_2025,
                    "dataset": "citydiplo-demo-partnerships",
                    "row": 8,
                }
            ]
        ],
        "reason": None,
    }


def test_dortmund_reaches_the_foreign_office_through_the_programme_that_funds_it(
    graph, iri
) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Auswärtiges Amt"))

    hops = [(h.source_entity, h.target_entity, h.kind, h.since, h.row) for h in answer.paths[0]]
    assert hops == [
        ("Dortmund", "Urban Diplomacy Exchange", "funding", "2024", 2),
        ("Urban Diplomacy Exchange", "Auswärtiges Amt", "funding", "2024", 2),
    ]


def test_k_shortest_paths_go_round_through_vancouver(graph, iri) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Pittsburgh"), k=3)

    assert [[h.target_entity for h in path] for path in answer.paths] == [
        ["Pittsburgh"],
        ["Vancouver", "Pittsburgh"],
    ]


def test_as_of_2000_the_innovation_partnership_of_2021_is_not_there_yet(bundled, iri) -> None:
    with open_store(bundled) as store:
        in_2000 = project(store, ProjectionOptions(as_of=2000))

    answer = paths_between(in_2000, iri("Dortmund"), iri("Pittsburgh"))

    assert [(h.target_entity, h.kind) for h in answer.paths[0]] == [
        ("Vancouver", "climate"),
        ("Pittsburgh", "climate"),
    ]


def test_a_path_from_an_entity_to_itself_is_refused(graph, iri) -> None:
    with pytest.raises(QueryError, match="Dortmund is both ends"):
        paths_between(graph, iri("Dortmund"), iri("Dortmund"))


def test_no_path_between_components_says_so_with_their_sizes(graph, iri) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Wuhan"))

    assert not answer.found
    assert answer.reason == (
        "Dortmund and Wuhan are in different components: no chain of relations in any layer "
        "joins them (Dortmund's component has 71 entities, Wuhan's 18)"
    )


def test_no_path_when_the_layers_chosen_leave_out_the_only_connection(graph, iri) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Auswärtiges Amt"), layers=("twinning",))

    assert not answer.found
    assert answer.reason == (
        "Auswärtiges Amt has no relation in the layers chosen (twinning); adding contact "
        "(--layers twinning,contact) connects them"
    )


def test_no_path_in_the_layers_chosen_names_every_smallest_addition(graph, iri) -> None:
    answer = paths_between(graph, iri("Dortmund"), iri("Karlsruhe"), layers=("twinning",))

    assert answer.reason == (
        "Dortmund and Karlsruhe are in different components of the layers chosen (twinning); "
        "adding membership (--layers twinning,membership) connects them"
    )


def test_no_path_within_max_hops_gives_the_shortest_length(graph, iri) -> None:
    target = iri("Kontaktstelle für Kommunen")

    answer = paths_between(graph, iri("Dortmund"), target, max_hops=2)

    assert answer.reason == "the shortest path has 3 hops, more than 2"
    assert paths_between(graph, iri("Dortmund"), target, max_hops=3).found


def test_a_misspelt_name_gets_a_suggestion(bundled: Path) -> None:
    with open_store(bundled) as store:
        index = entity_index(store)
    with pytest.raises(QueryError, match="did you mean Auswärtiges Amt"):
        find_entity(index, "Auswärtiges Amtt")
    # GeoNames knows 'Pittsburg' as a name of Pittsburgh: not a misspelling.
    assert find_entity(index, "Pittsburg").name == "Pittsburgh"


# --- brokers -------------------------------------------------------------------------------


def test_brokers_are_ranked_per_layer_and_for_all_layers(graph) -> None:
    rows = brokers_by_layer(graph, top=3)

    assert [row["layer"] for row in rows] == [layer for layer in (*LAYERS, "all") for _ in range(3)]
    top = {(row["layer"], row["name"]): row["disconnects"] for row in rows}
    assert top[("all", "Eurocities")] == 40
    assert top[("twinning", "Dortmund")] == 11
    assert top[("membership", "Dortmund – Council of European Municipalities and Regions")] == 3
    for layer in (*LAYERS, "all"):
        counts = [row["disconnects"] for row in rows if row["layer"] == layer]
        assert counts == sorted(counts, reverse=True)


def test_a_bridge_names_the_side_it_cuts_off_and_the_relation(graph) -> None:
    rows = brokers_by_layer(graph, ("tie",))
    bridge = next(row for row in rows if row["name"] == "China – Port of Piraeus")

    assert bridge["kind"] == "bridge"
    assert bridge["disconnects"] == 2  # the port and Piraeus, where it is
    assert bridge["country"] == "CN–GR"
    assert bridge["iri"].startswith("https://citydiplo.org/id/control/")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(0, 60), st.integers(0, 10_000))
def test_bridge_separation_equals_removing_each_bridge(nodes: int, edges: int, seed: int) -> None:
    graph = nx.gnm_random_graph(nodes, edges, seed=seed)
    found = bridges_separation(graph)

    assert {frozenset(pair) for pair in found} == {frozenset(pair) for pair in nx.bridges(graph)}
    for (kept, cut), count in found.items():
        rest = graph.copy()
        rest.remove_edge(kept, cut)
        # The second entity is on the side cut off, the smaller one.
        assert len(nx.node_connected_component(rest, cut)) == count
        assert len(nx.node_connected_component(rest, kept)) >= count


# --- the federal level ---------------------------------------------------------------------


def test_dortmund_reaches_the_federal_level_only_through_urban_diplomacy_exchange(
    channels,
) -> None:
    rows = {row["city"]: row for row in federal_channels(channels)}

    assert set(rows) == {"Dortmund", "Hannover"}
    assert rows["Dortmund"]["channel"] == "single"
    assert rows["Dortmund"]["intermediary"] == "Urban Diplomacy Exchange"
    assert rows["Dortmund"]["intermediary_type"] == "Programme"
    assert rows["Dortmund"]["bodies"] == ["Auswärtiges Amt"]
    # Hannover's consultation with the Foreign Office is a channel of its own.
    assert rows["Hannover"]["channel"] == "direct"
    assert rows["Hannover"]["intermediary"] is None


def test_the_federal_layer_lists_the_intermediary_with_the_cities_it_carries(channels) -> None:
    assert sole_federal_channels(channels) == [
        {
            "name": "Urban Diplomacy Exchange",
            "iri": "https://citydiplo.org/id/programme/de/urban-diplomacy-exchange",
            "layer": "federal",
            "kind": "sole channel to the federal level",
            "country": "DE",
            "disconnects": 1,
            "cities": ["Dortmund"],
            "bodies": ["Auswärtiges Amt"],
        }
    ]


ASSOCIATION_MEMBERS = (
    "network,city,country,role,since,until,source,member_type,qid,network_type\n"
    "Deutscher Städtetag,Münster,DE,,,,test list,,Q2742,Association\n"
    "Deutscher Städtetag,Bonn,DE,,,,test list,,Q586,Association\n"
    "Deutscher Städte- und Gemeindebund,Bonn,DE,,,,test list,,Q586,Association\n"
)


def test_a_member_of_one_association_depends_on_it_a_member_of_two_does_not(
    bundled: Path, tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(bundled, store_dir)
    members = tmp_path / "association-members.csv"
    members.write_text(ASSOCIATION_MEMBERS, encoding="utf-8")
    ingest_memberships(members, store=store_dir, report_dir=tmp_path)
    with open_store(store_dir) as store:
        channels = channel_graph(project(store), channel_directions(store))

    rows = {row["city"]: row for row in federal_channels(channels)}

    # Both associations sit in the Foreign Office's China round: Bonn has two channels.
    assert rows["Bonn"]["channel"] == "several"
    assert rows["Münster"]["channel"] == "single"
    assert rows["Münster"]["intermediary"] == "Deutscher Städtetag"
    assert rows["Münster"]["bodies"] == ["Auswärtiges Amt", "Kontaktstelle für Kommunen"]
    brokers = {row["name"]: row["cities"] for row in sole_federal_channels(channels)}
    assert brokers == {"Deutscher Städtetag": ["Münster"], "Urban Diplomacy Exchange": ["Dortmund"]}


def test_memberships_lead_from_member_to_network_only(channels, iri) -> None:
    # The DST is a member of CEMR, as Dortmund is: that gives Dortmund no channel via the DST.
    dortmund = iri("Dortmund")
    assert iri("Deutscher Städtetag") not in nx.descendants(channels, dortmund)


# --- what if -------------------------------------------------------------------------------


def test_without_eurocities_the_network_falls_apart(graph, channels, iri) -> None:
    eurocities = iri("Eurocities")

    answer = what_if(graph_of(graph), channels, Removal(entities=(eurocities,)))

    assert answer["removed"]["entities"] == ["Eurocities"]
    assert answer["removed"]["relations"] == 23
    assert answer["components"] == {"before": 13, "after": 30}
    assert answer["largest_component"] == {"before": 71, "after": 30}
    cut_off = [entity["name"] for entity in answer["cut_off"]]
    assert len(cut_off) == separated_by_removal(simple(graph_of(graph)))[eurocities] == 40
    assert {"Berlin", "Karlsruhe", "Nagpur", "European Union"} <= set(cut_off)
    assert answer["federal_level_lost"] == []
    longer = answer["longer_paths"]
    assert longer["longer"] > 0
    assert {"from": "Chemnitz", "to": "Essen", "before": 2, "after": 5} in longer["examples"]


def test_without_memberships_no_city_loses_the_federal_level(graph, channels) -> None:
    answer = what_if(graph_of(graph), channels, Removal(kinds=("membership",)))

    assert answer["removed"] == {
        "kinds": ["membership"],
        "types": [],
        "entities": [],
        "relations": 46,
        "without_relations_here": [],
    }
    assert answer["components"] == {"before": 13, "after": 44}
    assert answer["largest_component"] == {"before": 71, "after": 26}
    assert answer["federal_level_lost"] == []


def test_without_funding_dortmund_loses_the_federal_level(graph, channels) -> None:
    answer = what_if(graph_of(graph), channels, Removal(kinds=("funding",)))

    assert [row["city"] for row in answer["federal_level_lost"]] == ["Dortmund"]


def test_without_the_foreign_office_both_cities_lose_the_federal_level(
    graph, channels, iri
) -> None:
    view = layer_view(graph, ("twinning",))
    answer = what_if(view, channels, Removal(entities=(iri("Auswärtiges Amt"),)))

    # The federal question is asked of contacts and memberships whatever the layers chosen.
    assert [row["city"] for row in answer["federal_level_lost"]] == ["Dortmund", "Hannover"]
    assert answer["removed"]["without_relations_here"] == ["Auswärtiges Amt"]
    assert answer["components"]["before"] == answer["components"]["after"]


def test_without_associations_as_a_type(graph, channels) -> None:
    answer = what_if(graph_of(graph), channels, Removal(types=("Association",)))

    assert answer["removed"]["entities"] == [
        "Deutscher Städte- und Gemeindebund",
        "Deutscher Städtetag",
    ]


def test_unknown_kinds_and_types_get_suggestions() -> None:
    with pytest.raises(QueryError, match="did you mean funding"):
        check_removal(Removal(kinds=("fundng",)))
    with pytest.raises(QueryError, match="did you mean Association"):
        check_removal(Removal(types=("Asociation",)))
    check_removal(Removal(kinds=("Part of", "layer:twinning")))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 25), st.integers(0, 50), st.integers(0, 10_000), st.data())
def test_removing_one_entity_cuts_off_what_separation_counts(
    nodes: int, edges: int, seed: int, data: st.DataObject
) -> None:
    plain = nx.gnm_random_graph(nodes, edges, seed=seed)
    graph = nx.MultiGraph()
    graph.add_nodes_from(
        (node, {"name": f"n{node}", "type": "City", "country": None}) for node in plain
    )
    graph.add_edges_from(
        (a, b, {"relation": f"{a}-{b}", "layer": "twinning", "kind": "partnership"})
        for a, b in plain.edges()
    )
    vertex = data.draw(st.sampled_from(sorted(plain)))

    answer = what_if(graph, nx.MultiDiGraph(), Removal(entities=(vertex,)))

    assert len(answer["cut_off"]) == separated_by_removal(plain).get(vertex, 0)


def graph_of(graph: nx.MultiGraph) -> nx.MultiGraph:
    """Every layer, as the CLI passes it: only entities with a relation."""
    return layer_view(graph, LAYERS)


# --- the command line ----------------------------------------------------------------------


def test_path_prints_every_hop_with_its_source(cli, bundled: Path) -> None:
    result = cli("path", "Dortmund", "Auswärtiges Amt", "--store", bundled, "--format", "csv")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "path,hop,from,to,kind,layer,since,source,dataset,row"
    assert lines[1].startswith("1,1,Dortmund,Urban Diplomacy Exchange,funding,contact,2024,")
    assert lines[1].endswith(",citydiplo-demo-contacts,2")


def test_path_json_keeps_the_contract(cli, bundled: Path) -> None:
    result = cli("path", "Dortmund", "Pittsburgh", "--store", bundled, "--format", "json")

    answer = json.loads(result.stdout)
    assert set(answer) == {"found", "paths", "reason"}
    assert {"from", "to", "relation", "kind", "since", "source"} <= set(answer["paths"][0][0])


def test_path_explains_no_path(cli, bundled: Path) -> None:
    result = cli("path", "Dortmund", "Auswärtiges Amt", "--layers", "twinning", "--store", bundled)

    assert result.returncode == 0
    assert "adding contact (--layers twinning,contact) connects them" in result.stdout


def test_path_with_a_misspelt_name_exits_2_with_suggestions(cli, bundled: Path) -> None:
    result = cli("path", "Dortmnud", "Pittsburgh", "--store", bundled)

    assert result.returncode == 2
    assert "did you mean Dortmund?" in result.stderr


def test_brokers_json_keeps_the_contract(cli, bundled: Path) -> None:
    result = cli("brokers", "--store", bundled, "--format", "json", "--top", "2")

    rows = json.loads(result.stdout)
    for row in rows:
        assert {"name", "iri", "layer", "disconnects", "kind", "country"} <= set(row)
        assert isinstance(row["disconnects"], int)
    assert {row["layer"] for row in rows} == {*LAYERS, "all", "federal"}
    federal = next(row for row in rows if row["layer"] == "federal")
    assert (federal["name"], federal["cities"]) == ("Urban Diplomacy Exchange", ["Dortmund"])


def test_brokers_federal_lists_every_city_with_its_channel(cli, bundled: Path) -> None:
    result = cli("brokers", "--federal", "--store", bundled, "--format", "json")

    rows = json.loads(result.stdout)
    assert [(row["city"], row["channel"], row["intermediary"]) for row in rows] == [
        ("Dortmund", "single", "Urban Diplomacy Exchange"),
        ("Hannover", "direct", None),
    ]


def test_whatif_json_and_table(cli, bundled: Path) -> None:
    result = cli("whatif", "--remove-kind", "funding", "--store", bundled, "--format", "json")

    answer = json.loads(result.stdout)
    assert [row["city"] for row in answer["federal_level_lost"]] == ["Dortmund"]
    table = cli("whatif", "--remove", "Eurocities", "--store", bundled)
    assert table.returncode == 0, table.stderr
    assert "cut off" in table.stdout and "Karlsruhe" in table.stdout


def test_whatif_with_an_unknown_kind_exits_2(cli, bundled: Path) -> None:
    result = cli("whatif", "--remove-kind", "twining", "--store", bundled)

    assert result.returncode == 2
    assert "no relation kind is called 'twining'" in result.stderr


# --- the 2026 twin network -----------------------------------------------------------------


@pytest.mark.slow
def test_dortmund_reaches_pittsburgh_through_twinnings_in_the_2026_network(
    tmp_path: Path, cli
) -> None:
    store_dir = tmp_path / "store"
    ingest_partnerships(TWIN_CITIES_2026, store=store_dir, report_dir=tmp_path)
    with open_store(store_dir) as store:
        index = entity_index(store)
        graph = project(store)

    answer = paths_between(
        graph, find_entity(index, "Dortmund").iri, find_entity(index, "Pittsburgh").iri
    )

    assert answer.found
    hops = answer.paths[0]
    assert hops[0].source_entity == "Dortmund" and hops[-1].target_entity == "Pittsburgh"
    assert len(hops) == 4  # Dortmund – Rostov-on-Don – Oral – Ostrava – Pittsburgh
    assert all(hop.layer == "twinning" and hop.source == "twin-cities-2026" for hop in hops)
    assert all(isinstance(hop.row, int) for hop in hops)
    result = cli("path", "Dortmund", "Pittsburgh", "--store", store_dir, "--format", "json")
    assert json.loads(result.stdout)["paths"] == answer.as_dict()["paths"]
