"""City networks and memberships: the ClimActor wide table, membership lists, the registry's
name variants, and the `networks` / `members` questions.

The promise on the real ClimActor file: every actor marked in a column of a network is a member
of that network in the graph (counted here straight from the raw columns, with the csv module
and the mapping file), names come out repaired, regions stay regions, junk columns are
reported. Bad membership files are refused with file and line, exit 2, the store untouched.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from citydiplo.errors import IngestError, QueryError
from citydiplo.graph.store import open_store
from citydiplo.ingest.actors import registry
from citydiplo.ingest.climactor import repaired_name
from citydiplo.ingest.countries import fold
from citydiplo.ingest.memberships import ingest_memberships, read_memberships
from citydiplo.ingest.pipeline import IngestSummary
from citydiplo.queries.networks import network_members, network_members_counts

from conftest import CLIMACTOR, ROOT, store_fingerprint

MAPPING = ROOT / "data" / "registry" / "climactor_columns.csv"
LIST_HEADER = "network,city,country,role,since,until,source"


# --- the ClimActor file, counted independently -----------------------------------------
def mapping_from_file(path: Path) -> dict[str, set[str]]:
    """Column → networks, read with the csv module from the mapping file (comments skipped)."""
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    networks: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(lines):
        if row["network"]:
            networks[row["column"]].add(row["network"])
    return networks


def raw_climactor() -> list[tuple[int, dict[str, str]]]:
    """The raw rows with their line numbers (no cell of this file spans lines)."""
    with CLIMACTOR.open(encoding="utf-8", newline="") as handle:
        return list(enumerate(csv.DictReader(handle), start=2))


def raw_members_per_network() -> dict[str, set[int]]:
    """Network → the lines of the actors marked 1 in any column mapped to it."""
    mapping = mapping_from_file(MAPPING)
    members: dict[str, set[int]] = defaultdict(set)
    for line, row in raw_climactor():
        for column, networks in mapping.items():
            if row.get(column) == "1":
                for network in networks:
                    members[network].add(line)
    return members


@pytest.fixture(scope="module")
def climactor(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestSummary]:
    """A fresh store holding the whole ClimActor file, ingested once for this module."""
    folder = tmp_path_factory.mktemp("climactor")
    store = folder / "store"
    summary = ingest_memberships(CLIMACTOR, store=store, report_dir=folder)
    return store, summary


@pytest.mark.slow
def test_the_whole_climactor_file_ingests(climactor: tuple[Path, IngestSummary]) -> None:
    _, summary = climactor
    assert summary.format == "memberships-wide"
    assert summary.rows == 10716
    assert summary.rejected == 0
    assert summary.created == {}, "every network of the mapping is in the registry"
    assert summary.relations["Membership"] > 27000


@pytest.mark.slow
def test_members_per_network_equal_an_independent_count_of_the_raw_columns(
    climactor: tuple[Path, IngestSummary],
) -> None:
    """Each actor marked for a network is a row behind one of its memberships; actors that
    resolve to one city (ClimActor lists both Bangalore and Bengaluru) count once as members."""
    store, _ = climactor
    expected = {network: len(lines) for network, lines in raw_members_per_network().items()}
    with open_store(store) as graph:
        rows = graph.select(
            """SELECT ?name ?member (COUNT(DISTINCT ?row) AS ?rows) WHERE {
                 ?network a cd:CityNetwork ; rdfs:label ?name .
                 ?membership org:organization ?network ; org:member ?member ;
                             prov:wasDerivedFrom/cd:row ?row .
               } GROUP BY ?name ?member"""
        )
        counted = {row["name"]: row["members"] for row in network_members_counts(graph)}
    rows_per_network: Counter[str] = Counter()
    members_per_network: Counter[str] = Counter()
    for row in rows:
        rows_per_network[row["name"]] += row["rows"]
        members_per_network[row["name"]] += 1
    assert dict(rows_per_network) == expected
    assert {name: counted[name] for name in expected} == dict(members_per_network)
    assert (
        counted["C40 Cities Climate Leadership Group"]
        == expected["C40 Cities Climate Leadership Group"]
    )


def test_every_network_of_the_mapping_is_in_the_registry() -> None:
    for networks in mapping_from_file(MAPPING).values():
        for network in networks:
            assert registry()[fold(network)].name == network


@pytest.mark.slow
def test_names_are_repaired(climactor: tuple[Path, IngestSummary]) -> None:
    store, summary = climactor
    with open_store(store) as graph:
        names = {
            row["name"]
            for row in graph.select(
                """SELECT DISTINCT ?name WHERE {
                     ?e a cd:City ; rdfs:label|schema:alternateName ?name }"""
            )
        }
    assert {"Šempeter-Vrtojba", "Ocna Mureș", "Hațeg", "Cáceres"} <= names
    assert not [n for n in names if "Ã" in n or "Å\xa0" in n or "<U+" in n]
    assert any(note.startswith("10 names repaired") for note in summary.notes)


def test_repair_leaves_correct_names_alone() -> None:
    for name in ("Aachen", "A Coruña", "Ærø", "Ålesund", "Köln", "Xi'an"):
        assert repaired_name(name) == name
    assert repaired_name("CÃ¡ceres") == "Cáceres"
    assert repaired_name("Å\xa0empeter-Vrtojba") == "Šempeter-Vrtojba"
    assert repaired_name("Ocna Mure<U+0219>") == "Ocna Mureș"


@pytest.mark.slow
def test_regions_stay_regions(climactor: tuple[Path, IngestSummary]) -> None:
    store, _ = climactor
    mapped = set(mapping_from_file(MAPPING))
    raw_regions = sum(
        1
        for _, row in raw_climactor()
        if row["entity_type"] == "Region" and any(row[c] == "1" for c in mapped)
    )
    with open_store(store) as graph:
        (count,) = graph.select("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a cd:Region }")
        under2 = network_members(graph, "Under2 Coalition")
    assert count["n"] == raw_regions
    types = {row["name"]: row["type"] for row in under2}
    assert types["California"] == "Region" and types["Baden-Württemberg"] == "Region"


@pytest.mark.slow
def test_coordinates_and_population_are_kept(climactor: tuple[Path, IngestSummary]) -> None:
    store, _ = climactor
    with open_store(store) as graph:
        rows = graph.select(
            """SELECT ?lat ?long ?population WHERE {
                 ?c a cd:Region ; rdfs:label "Uppsala County" ; geo:lat ?lat ; geo:long ?long ;
                    schema:population ?population }"""
        )
    assert rows == [{"lat": 59.858333, "long": 17.65, "population": 378246}]


@pytest.mark.slow
def test_a_column_naming_several_networks_is_split(
    climactor: tuple[Path, IngestSummary],
) -> None:
    store, _ = climactor
    with open_store(store) as graph:
        networks = {
            row["name"]
            for row in graph.select(
                """SELECT DISTINCT ?name WHERE {
                     ?city rdfs:label "Uppsala County" .
                     ?m org:member ?city ; org:organization/rdfs:label ?name }"""
            )
        }
    assert networks == {
        "Klimatkommunerna",
        "EU Covenant of Mayors for Climate & Energy",
        "Eurocities",
        "Fossil Free Sweden",
        "Non-State Actor Zone for Climate Action",
    }


@pytest.mark.slow
def test_junk_and_cdp_columns_are_reported_and_ignored(
    climactor: tuple[Path, IngestSummary],
) -> None:
    store, summary = climactor
    ignored = next(note for note in summary.notes if "columns ignored" in note)
    assert "'<NA>' (3 marked)" in ignored and "'CDPCities2018' (501 marked)" in ignored
    with open_store(store) as graph:
        labels = {row["name"] for row in network_members_counts(graph)}
    assert not [label for label in labels if "CDP" in label or "<NA>" in label]


@pytest.mark.slow
def test_reingesting_climactor_adds_nothing(
    climactor: tuple[Path, IngestSummary], tmp_path: Path
) -> None:
    store, _ = climactor
    with open_store(store) as graph:
        before = len(graph)
    again = ingest_memberships(CLIMACTOR, store=store, report_dir=tmp_path)
    assert again.unchanged and again.triples_added == 0
    with open_store(store) as graph:
        assert len(graph) == before


# --- small files the tests write ---------------------------------------------------------
def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_columns_of_one_network_in_several_years_make_one_membership(
    tmp_path: Path, store_dir: Path
) -> None:
    table = write(
        tmp_path / "wide.csv",
        "name,iso,entity_type,lat,lng,C40,C40Cities2019,EUCovenantofMayors2019,"
        "EUCovenantofMayors2020,ClimateAlliance2019",
        "Heidelberg,DEU,City,49.41,8.69,1,1,1,1,0",
        "Hessen,DEU,Region,,,0,0,0,0,1",
    )
    summary = ingest_memberships(table, store=store_dir)
    assert summary.relations == {"Membership": 3}
    with open_store(store_dir) as graph:
        covenant = network_members(graph, "Konvent der Bürgermeister")
        c40 = network_members(graph, "C40")
        alliance = network_members(graph, "Klima-Bündnis")
    assert [(m["name"], m["observed"]) for m in covenant] == [("Heidelberg", [2019, 2020])]
    assert [m["observed"] for m in c40] == [[2019]]
    assert [(m["name"], m["type"]) for m in alliance] == [("Hessen", "Region")]


def test_a_mapping_file_overrides_the_built_in_one(tmp_path: Path, store_dir: Path) -> None:
    table = write(
        tmp_path / "wide.csv",
        "name,iso,entity_type,CDPCities2018,NAZCA,Energy Cities",
        "Heidelberg,DEU,City,1,1,1",
    )
    mapping = write(tmp_path / "mine.csv", "column,network,year", "CDPCities2018,CDP Cities,2018")
    summary = ingest_memberships(table, store=store_dir, mapping=mapping)
    assert summary.created == {"CityNetwork": ["CDP Cities"]}
    assert summary.relations == {"Membership": 3}
    assert any("'Energy Cities' → Energy Cities" in note for note in summary.notes)
    plain = ingest_memberships(table, store=store_dir)
    assert not plain.unchanged, "another mapping makes another version of the source"
    assert plain.relations == {"Membership": 2}


def test_a_list_names_a_network_the_registry_does_not_know(tmp_path: Path, store_dir: Path) -> None:
    members = write(
        tmp_path / "ruhr.csv",
        LIST_HEADER,
        "Städtenetzwerk Ruhr-Mitte,Bochum,DE,member,2019,,Stadt Bochum",
        "Städtenetzwerk Ruhr-Mitte,Herne,DE,member,2019,,Stadt Bochum",
        "Eurocities,Bochum,DE,member,,,Deutscher Städtetag 2021",
    )
    summary = ingest_memberships(members, store=store_dir)
    assert summary.format == "memberships-csv"
    assert summary.created == {"CityNetwork": ["Städtenetzwerk Ruhr-Mitte"]}
    with open_store(store_dir) as graph:
        counts = {row["name"]: row["members"] for row in network_members_counts(graph)}
    assert counts == {"Städtenetzwerk Ruhr-Mitte": 2, "Eurocities": 1}


def test_german_english_and_french_names_of_a_network_meet_in_one_node(
    tmp_path: Path, store_dir: Path
) -> None:
    members = write(
        tmp_path / "alliance.csv",
        LIST_HEADER,
        "Klima-Bündnis,Frankfurt am Main,DE,,1990,,Klima-Bündnis",
        "Climate Alliance,Wien,AT,,,,Climate Alliance",
        "Alliance pour le Climat,Strasbourg,FR,,,,Alliance pour le Climat",
    )
    ingest_memberships(members, store=store_dir)
    with open_store(store_dir) as graph:
        counts = network_members_counts(graph)
        members_by_german_name = network_members(graph, "klimabundnis")
    assert [(row["name"], row["members"], row["founded"]) for row in counts] == [
        ("Climate Alliance", 3, 1990)
    ]
    assert {row["name"] for row in members_by_german_name} == {
        "Frankfurt am Main",
        "Vienna",
        "Strasbourg",
    }


def test_members_come_with_role_since_and_source(tmp_path: Path, store_dir: Path) -> None:
    members = write(
        tmp_path / "peace.csv",
        LIST_HEADER + ",member_type",
        'Mayors for Peace,Hannover,DE,vice-president,1983,,"Städtetag 2021",City',
        "Council of European Municipalities and Regions,Deutscher Städtetag,DE,"
        "member,,,Städtetag 2021,Association",
    )
    ingest_memberships(members, store=store_dir, source_name="staedtetag-2021")
    with open_store(store_dir) as graph:
        peace = network_members(graph, "Bürgermeister für den Frieden")
        cemr = network_members(graph, "RGRE")
        counts = {row["name"]: row for row in network_members_counts(graph)}
    (hannover,) = peace
    assert hannover["role"] == "vice-president" and hannover["since"] == "1983"
    assert (hannover["source"], hannover["row"], hannover["country"]) == (
        "staedtetag-2021",
        2,
        "DE",
    )
    assert [(m["name"], m["type"]) for m in cemr] == [("Deutscher Städtetag", "Association")]
    cemr_counts = counts["Council of European Municipalities and Regions"]
    assert (cemr_counts["members"], cemr_counts["cities"], cemr_counts["regions"]) == (1, 0, 0)
    assert (cemr_counts["founded"], cemr_counts["seat"]) == (1951, "Brussels")


def test_an_unknown_network_name_suggests_close_ones(tmp_path: Path, store_dir: Path) -> None:
    members = write(tmp_path / "m.csv", LIST_HEADER, "Eurocities,Dortmund,DE,,,,DST")
    ingest_memberships(members, store=store_dir)
    with open_store(store_dir) as graph, pytest.raises(QueryError, match="did you mean Eurocities"):
        network_members(graph, "Eurocitys")


def test_a_network_with_a_parent_body_is_linked_to_it(tmp_path: Path, store_dir: Path) -> None:
    members = write(tmp_path / "uta.csv", LIST_HEADER, "Urban Transitions Alliance,Essen,DE,,,,IP")
    ingest_memberships(members, store=store_dir)
    with open_store(store_dir) as graph:
        parents = graph.select(
            """SELECT ?parent WHERE {
                 ?n rdfs:label "Urban Transitions Alliance" ;
                    org:subOrganizationOf/rdfs:label ?parent }"""
        )
    assert parents == [{"parent": "ICLEI – Local Governments for Sustainability"}]


# --- bad input ---------------------------------------------------------------------------
BAD_LISTS = {
    "missing column": ((("network,city,country,role,since,source"),), 1, "missing column"),
    "unknown country": (("Eurocities,Dortmund,Atlantis,,,,DST",), 2, "unknown country"),
    "since after until": (("Eurocities,Dortmund,DE,,2020,2010,DST",), 2, "since 2020 is after"),
    "duplicate": (
        ("Eurocities,Dortmund,DE,,,,DST", "EUROCITIES,Dortmund,Germany,,,,DST"),
        3,
        "duplicate row",
    ),
    "variant duplicate": (
        ("Klima-Bündnis,Bonn,DE,,,,a", "Climate Alliance,Bonn,DE,,,,b"),
        3,
        "duplicate row",
    ),
    "unknown member type": (("Eurocities,Dortmund,DE,,,,DST,Town",), 2, "unknown member_type"),
    "mojibake": (("Eurocities,KÃ¶ln,DE,,,,DST",), 2, "mojibake"),
    "future year": (("Eurocities,Dortmund,DE,,3024,,DST",), 2, "in the future"),
}


def bad_list(case: str, folder: Path) -> tuple[Path, int, str]:
    rows, line, words = BAD_LISTS[case]
    header = LIST_HEADER + (",member_type" if case == "unknown member type" else "")
    lines = rows if case == "missing column" else (header, *rows)
    return write(folder / f"{case.replace(' ', '-')}.csv", *lines), line, words


@pytest.mark.parametrize("case", sorted(BAD_LISTS))
def test_a_bad_list_is_refused_with_file_and_line(case: str, tmp_path: Path) -> None:
    path, line, words = bad_list(case, tmp_path)
    with pytest.raises(IngestError) as refused:
        read_memberships(path)
    assert (refused.value.file, refused.value.line) == (str(path), line)
    assert words in str(refused.value)


WIDE_HEADER = "name,iso,entity_type,lat,lng,C40Cities2019,NAZCA"
BAD_TABLES = {
    "missing iso column": (("name,entity_type,C40Cities2019", "Paris,City,1"), 1, "missing"),
    "unknown country": ((WIDE_HEADER, "Paris,XYZ,City,,,1,0"), 2, "unknown country 'XYZ'"),
    "unknown entity type": ((WIDE_HEADER, "Paris,FRA,Town,,,1,0"), 2, "unknown entity_type"),
    "not 0 or 1": ((WIDE_HEADER, "Paris,FRA,City,,,2,0"), 2, "'2' is not 0 or 1"),
    "duplicate": ((WIDE_HEADER, "Paris,FRA,City,,,1,0", "Paris,FRA,City,,,0,1"), 3, "duplicate"),
    "latitude not a number": ((WIDE_HEADER, "Paris,FRA,City,north,2.35,1,0"), 2, "not a number"),
    "no network column": (("name,iso,entity_type,Foo", "Paris,FRA,City,1"), 1, "no column"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_a_bad_wide_table_is_refused_with_file_and_line(case: str, tmp_path: Path) -> None:
    lines, line, words = BAD_TABLES[case]
    path = write(tmp_path / "wide.csv", *lines)
    with pytest.raises(IngestError) as refused:
        read_memberships(path, "wide")
    assert (refused.value.file, refused.value.line) == (str(path), line)
    assert words in str(refused.value)


def test_a_bad_mapping_is_refused_with_its_line(tmp_path: Path) -> None:
    table = write(tmp_path / "wide.csv", WIDE_HEADER, "Paris,FRA,City,,,1,0")
    mapping = write(tmp_path / "map.csv", "# mine", "column,network,year", "NAZCA,NAZCA,20x0")
    with pytest.raises(IngestError) as refused:
        read_memberships(table, mapping=mapping)
    assert (refused.value.file, refused.value.line) == (str(mapping), 3)


def test_a_header_of_neither_shape_asks_for_the_format(tmp_path: Path) -> None:
    path = write(tmp_path / "what.csv", "a,b,c", "1,2,3")
    with pytest.raises(IngestError, match="--format list or --format wide"):
        read_memberships(path)


def test_empty_and_binary_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(IngestError, match="empty"):
        read_memberships(empty)
    with pytest.raises(IngestError, match="binary"):
        read_memberships(binary)


# --- the command, as users run it --------------------------------------------------------
@pytest.fixture
def filled_store(tmp_path: Path, store_dir: Path) -> Path:
    good = write(tmp_path / "good.csv", LIST_HEADER, "Eurocities,Dortmund,DE,member,,,DST")
    ingest_memberships(good, store=store_dir, report_dir=tmp_path)
    return store_dir


@pytest.mark.parametrize("case", ["missing column", "unknown country", "since after until"])
def test_the_command_refuses_a_bad_list_and_leaves_the_store_untouched(
    case: str, cli, filled_store: Path, tmp_path: Path
) -> None:
    path, line, words = bad_list(case, tmp_path)
    before = store_fingerprint(filled_store)
    result = cli("ingest", "memberships", path, "--store", filled_store, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("Error: ") and "Traceback" not in result.stderr
    assert f"{path}, line {line}" in message and words in message
    assert store_fingerprint(filled_store) == before


def test_the_command_refuses_a_duplicate_row_and_leaves_the_store_untouched(
    cli, filled_store: Path, tmp_path: Path
) -> None:
    path, line, _ = bad_list("duplicate", tmp_path)
    before = store_fingerprint(filled_store)
    result = cli("ingest", "memberships", path, "--store", filled_store, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{path}, line {line}: duplicate row" in " ".join(result.stderr.split())
    assert store_fingerprint(filled_store) == before


def test_the_command_refuses_a_bad_wide_table_and_leaves_the_store_untouched(
    cli, filled_store: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "wide.csv", WIDE_HEADER, "Paris,XYZ,City,,,1,0")
    before = store_fingerprint(filled_store)
    result = cli("ingest", "memberships", path, "--store", filled_store, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{path}, line 2, column iso: unknown country 'XYZ'" in " ".join(result.stderr.split())
    assert store_fingerprint(filled_store) == before


def test_skip_invalid_ingests_the_valid_rows_and_reports_the_others(
    cli, store_dir: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "mixed.csv",
        LIST_HEADER,
        "Eurocities,Dortmund,DE,,,,DST",
        "Eurocities,Essen,Atlantis,,,,DST",
        "Mayors for Peace,Hannover,DE,,1983,,DST",
    )
    result = cli(
        "ingest", "memberships", path, "--store", store_dir, "--skip-invalid", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    (report,) = tmp_path.glob("citydiplo-rejected-*.csv")
    rejected = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["line"], r["reason"]) for r in rejected] == [
        ("3", "column country: unknown country 'Atlantis'")
    ]
    with open_store(store_dir) as graph:
        assert len(network_members_counts(graph)) == 2


def test_networks_and_members_commands(cli, store_dir: Path, tmp_path: Path) -> None:
    members_file = write(
        tmp_path / "alliance.csv",
        LIST_HEADER,
        "Klima-Bündnis,Frankfurt am Main,DE,,1990,,Klima-Bündnis",
        "Climate Alliance,Wien,AT,,,,Climate Alliance",
    )
    ingested = cli("ingest", "memberships", members_file, "--store", store_dir, cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    networks = cli("networks", "--store", store_dir, "--format", "json")
    assert networks.returncode == 0, networks.stderr
    (row,) = json.loads(networks.stdout)
    assert (row["name"], row["members"], row["cities"], row["regions"]) == (
        "Climate Alliance",
        2,
        2,
        0,
    )
    members = cli("members", "Klimabündnis", "--store", store_dir, "--format", "csv")
    assert members.returncode == 0, members.stderr
    listed = list(csv.DictReader(io.StringIO(members.stdout)))
    assert [(m["name"], m["since"], m["source"]) for m in listed] == [
        ("Frankfurt am Main", "1990", "alliance"),
        ("Vienna", "", "alliance"),
    ]
    unknown = cli("members", "Klimabundniss", "--store", store_dir)
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr
