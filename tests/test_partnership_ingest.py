"""What a user relies on when ingesting partnerships: counts, identity, provenance, idempotency."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from citydiplo.graph.records import Place
from citydiplo.graph.store import open_store
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.ingest.places import PlaceResolver
from citydiplo.queries.stats import graph_stats

from conftest import TWIN_CITIES_2026, WIKIDATA_2016

HEADER = "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def twinnings(store_dir: Path) -> list[dict]:
    with open_store(store_dir) as store:
        return store.select(
            """SELECT ?twinning ?kind ?since ?until ?status
                      (GROUP_CONCAT(DISTINCT ?name; separator="|") AS ?names) WHERE {
                 ?twinning a cd:Twinning ; cd:kind ?kind ; cd:status ?status ; cd:partner ?p .
                 ?p rdfs:label ?name .
                 OPTIONAL { ?twinning cd:since ?since } OPTIONAL { ?twinning cd:until ?until }
               } GROUP BY ?twinning ?kind ?since ?until ?status"""
        )


@pytest.mark.slow
def test_2016_snapshot_holds_every_city_and_every_distinct_pair(store_dir: Path) -> None:
    rows = [line.split("\t") for line in (WIKIDATA_2016 / "relations.tsv").read_text().splitlines()]
    cities = {qid.strip() for row in rows for qid in row}
    pairs = {frozenset(q.strip() for q in row) for row in rows if row[0].strip() != row[1].strip()}

    summary = ingest_partnerships(WIKIDATA_2016, store=store_dir)

    assert summary.twinnings == len(pairs)
    with open_store(store_dir) as store:
        figures = graph_stats(store)
        wikidata_pairs = store.select(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a wdt:P190 ?b . FILTER (STR(?a) < STR(?b)) }"
        )
    assert figures["entities"]["City"] == len(cities) == 10055
    assert figures["relations"]["Twinning"] == len(pairs) == 17401
    assert figures["network"]["nodes"] == len(cities)
    assert figures["network"]["edges"] == len(pairs)
    assert wikidata_pairs[0]["n"] == len(pairs)


@pytest.mark.slow
def test_reingesting_the_same_data_adds_nothing(store_dir: Path) -> None:
    ingest_partnerships(TWIN_CITIES_2026, store=store_dir)
    with open_store(store_dir) as store:
        before = len(store)

    again = ingest_partnerships(TWIN_CITIES_2026, store=store_dir)

    assert again.unchanged and again.triples_added == 0
    with open_store(store_dir) as store:
        assert len(store) == before


def test_same_input_yields_the_same_iris_in_any_store(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "ruhr.csv",
        "Dortmund,DE,Amiens,FR,Partnerschaft,1960,,,Stadt Dortmund",
        "Essen,DE,Changzhou,CN,Partnerschaft,2015,,,IP Special 2022",
    )
    ingest_partnerships(data, store=tmp_path / "one")
    ingest_partnerships(data, store=tmp_path / "two")
    with open_store(tmp_path / "one") as one, open_store(tmp_path / "two") as two:
        assert set(map(str, one.quads())) == set(map(str, two.quads()))


def test_a_pair_stated_from_both_sides_is_one_twinning(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest_partnerships(
        write_csv(tmp_path / "a.csv", "Dortmund,DE,Amiens,FR,Partnerschaft,1960,,,A"), store=store
    )
    ingest_partnerships(
        write_csv(tmp_path / "b.csv", "Amiens,FR,Dortmund,DE,twinning,1960,,,B"), store=store
    )
    found = twinnings(store)
    assert len(found) == 1
    with open_store(store) as graph_store:
        derivations = graph_store.select(
            """SELECT DISTINCT ?source ?row WHERE {
                 ?t a cd:Twinning ; prov:wasDerivedFrom ?record .
                 ?record cd:row ?row ; prov:hadPrimarySource/schema:name ?source }
               ORDER BY ?source"""
        )
    assert derivations == [{"source": "a", "row": 2}, {"source": "b", "row": 2}]


def test_city_names_in_other_languages_meet_in_one_node(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "names.csv",
        "Köln,DE,Klausenburg,RO,Partnerschaft,1976,,,x",
        "Cologne,Germany,Rostow am Don,RUS,Freundschaft,1977,,,x",
        "Cluj-Napoca,ROU,Rostov-on-Don,RU,Kontakt,,,,x",
    )
    summary = ingest_partnerships(data, store=tmp_path / "store")
    assert summary.places == 3
    assert summary.resolution == {"geonames": 6}
    with open_store(tmp_path / "store") as store:
        labels = store.select(
            """SELECT ?label ?iso2 WHERE {
                 ?c a cd:City ; rdfs:label ?label ; cd:country/cd:iso2 ?iso2 } ORDER BY ?label"""
        )
    assert labels == [
        {"label": "Cluj-Napoca", "iso2": "RO"},
        {"label": "Köln", "iso2": "DE"},
        {"label": "Rostov-on-Don", "iso2": "RU"},
    ]


@pytest.mark.slow
def test_a_city_named_without_qid_joins_its_wikidata_node(tmp_path: Path) -> None:
    nodes = list(csv.DictReader((TWIN_CITIES_2026 / "nodes.tsv").open(), delimiter="\t"))
    dortmund = next(n["id"] for n in nodes if n["name"] == "Dortmund")
    store = tmp_path / "store"
    ingest_partnerships(TWIN_CITIES_2026, store=store)

    summary = ingest_partnerships(
        write_csv(tmp_path / "x.csv", "Dortmund,DE,Kumasi,GH,Klimapartnerschaft,2019,,,SKEW"),
        store=store,
    )

    assert summary.resolution == {"known": 2}  # Kumasi is a Wikidata node too
    with open_store(store) as graph_store:
        partners = graph_store.select(
            """SELECT DISTINCT ?city WHERE { ?t cd:kind kind:climate ; cd:partner ?city .
                 ?city rdfs:label "Dortmund" }"""
        )
    assert partners == [{"city": f"https://citydiplo.org/id/city/{dortmund}"}]


def test_ambiguous_and_unknown_names_go_to_the_review_report(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "review.csv",
        "Springfield,US,Neverheardofville,DE,Partnerschaft,1990,,,x",
    )
    summary = ingest_partnerships(data, store=tmp_path / "store", report_dir=tmp_path)
    assert summary.resolution == {"ambiguous": 1, "unresolved": 1}
    with open(summary.review_report, encoding="utf-8") as handle:
        review = list(csv.DictReader(handle))
    assert [(r["name"], r["outcome"], r["row"]) for r in review] == [
        ("Springfield", "ambiguous", "2"),
        ("Neverheardofville", "unresolved", "2"),
    ]
    assert review[0]["candidates"].count("Springfield") >= 2


def test_every_twinning_says_where_it_came_from(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "ruhr.csv",
        "Dortmund,DE,Buffalo,US,Partnerschaft,1978,,,IP 24.1.2025",
        "Gladbeck,DE,Fushun,CN,Partnerschaft,,,dormant,DGAP Memo 2021",
    )
    ingest_partnerships(data, store=tmp_path / "store")
    with open_store(tmp_path / "store") as store:
        rows = store.select(
            """SELECT ?t ?row ?citation ?file ?sha ?retrieved ?count WHERE {
                 ?t a cd:Twinning ; prov:wasDerivedFrom ?record .
                 ?record cd:row ?row ; cd:citation ?citation ; prov:hadPrimarySource ?source .
                 ?source cd:file ?file ; cd:sha256 ?sha ; cd:retrieved ?retrieved ;
                         cd:rowCount ?count } ORDER BY ?row"""
        )
    assert [(r["row"], r["citation"]) for r in rows] == [(2, "IP 24.1.2025"), (3, "DGAP Memo 2021")]
    assert {r["file"] for r in rows} == {str(data.resolve())}
    assert all(len(r["sha"]) == 64 and r["count"] == 2 for r in rows)


def test_status_follows_the_stated_end(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "status.csv",
        "Dortmund,DE,Netanya,IL,Partnerschaft,1981,,,x",
        "Dortmund,DE,Xi'an,CN,Projektpartnerschaft,2001,2005,,x",
        "Gladbeck,DE,Fushun,CN,Partnerschaft,,,ruhend,x",
    )
    ingest_partnerships(data, store=tmp_path / "store")
    statuses = {
        row["names"]: row["status"].rsplit("/", 1)[1] for row in twinnings(tmp_path / "store")
    }
    assert sorted(statuses.values()) == ["active", "dormant", "ended"]


def test_a_changed_file_replaces_its_earlier_version(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = write_csv(tmp_path / "list.csv", "Dortmund,DE,Amiens,FR,Partnerschaft,1960,,,x")
    ingest_partnerships(data, store=store)
    write_csv(data, "Dortmund,DE,Leeds,GB,Partnerschaft,1969,,,x")

    summary = ingest_partnerships(data, store=store)

    assert summary.replaced_versions == 1
    assert [row["names"].count("Leeds") for row in twinnings(store)] == [1]
    with open_store(store) as graph_store:
        assert len(graph_store.source_versions()) == 1


def test_dates_keep_their_precision(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "dates.csv",
        "Dortmund,DE,Amiens,FR,Partnerschaft,1960-05,,,x",
        "Dortmund,DE,Leeds,GB,Partnerschaft,1969-03-21,2024,,x",
    )
    ingest_partnerships(data, store=tmp_path / "store")
    with open_store(tmp_path / "store") as store:
        rows = store.select(
            "SELECT ?since (DATATYPE(?since) AS ?type) WHERE { ?t cd:since ?since } ORDER BY ?since"
        )
    assert [(r["since"], r["type"].rsplit("#", 1)[1]) for r in rows] == [
        ("1960-05", "gYearMonth"),
        ("1969-03-21", "date"),
    ]


def test_cli_summary_and_json_stats(tmp_path: Path, cli) -> None:
    data = write_csv(
        tmp_path / "ruhr.csv",
        "Dortmund,DE,Amiens,FR,Partnerschaft,1960,,,x",
        "Duisburg,DE,Wuhan,CN,Partnerschaft,1982,,,x",
    )
    store = tmp_path / "store"
    ingested = cli("ingest", "partnerships", data, "--store", store, cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    assert "2 twinnings" in ingested.stdout

    result = cli("stats", "--format", "json", env={"CITYDIPLO_STORE": str(store)})
    figures = json.loads(result.stdout)
    assert set(figures) >= {"triples", "entities", "relations", "sources", "network"}
    assert figures["relations"]["Twinning"] == 2
    assert figures["entities"]["City"] == 4
    assert figures["entities"]["Country"] == 3
    assert figures["sources"] == 1
    assert figures["network"] == {"nodes": 4, "edges": 2, "components": 2, "largest_component": 2}


def test_partner_provinces_are_regions(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "provinces.csv",
        "Nordrhein-Westfalen,DE,Shanxi,CN,Partnerprovinz,,,,IP Special 2022,,,Region,Region",
        header=HEADER.strip() + ",qid_a,qid_b,type_a,type_b\n",
    )
    summary = ingest_partnerships(data, store=tmp_path / "store")
    assert summary.twinnings == 1
    with open_store(tmp_path / "store") as store:
        regions = store.select(
            "SELECT DISTINCT ?name WHERE { ?r a cd:Region ; rdfs:label ?name } ORDER BY ?name"
        )
        kinds = store.select("SELECT DISTINCT ?k WHERE { ?t a cd:Twinning ; cd:kind ?k }")
    assert [r["name"] for r in regions] == ["Nordrhein-Westfalen", "Shanxi"]
    assert kinds == [{"k": "https://citydiplo.org/id/kind/partner-province"}]


def test_coordinates_pick_the_nearest_of_places_sharing_a_name() -> None:
    resolver = PlaceResolver("climactor.csv", {})
    illinois = resolver.resolve(Place("Springfield", "US", latitude=39.80, longitude=-89.64), 7)
    anywhere = resolver.resolve(Place("Springfield", "US"), 8)
    assert (illinois.resolution, illinois.geonames_id) == ("geonames-nearest", 4250542)
    assert anywhere.resolution == "ambiguous"
    assert [item.row for item in resolver.review] == [8]


def test_a_namesake_far_from_the_given_coordinates_is_not_a_match() -> None:
    resolver = PlaceResolver("climactor.csv", {})
    tabernas = resolver.resolve(Place("Tabernas", "ES", latitude=37.05, longitude=-2.39), 12)
    assert tabernas.resolution == "unresolved" and tabernas.name == "Tabernas"
    assert "Tavernes de la Valldigna" in resolver.review[0].candidates
