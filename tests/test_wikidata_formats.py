"""Wikidata's own formats: P190 query results (from WDQS or a citydiplo store) and entity JSON."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from citydiplo.errors import CitydiploError, IngestError
from citydiplo.graph.records import PartialDate, Place
from citydiplo.graph.store import open_store
from citydiplo.ingest.partnerships import detect_format, ingest_partnerships, read_partnerships
from citydiplo.ingest.sparql_results import fetch_wikidata_p190

from conftest import ROOT, TWIN_CITIES_2026, WIKIDATA_2016

P190_QUERY = ROOT / "queries" / "sparql" / "wikidata_p190.rq"
WEIMAR = WIKIDATA_2016 / "weimar-entity.json"
WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"

P190_VARIABLES = [
    *("city", "cityLabel", "cityCountry", "partner", "partnerLabel", "partnerCountry"),
    *("start", "startPrecision", "end", "endPrecision"),
]
CSV_HEADER = "city_a,country_a,city_b,country_b,kind,since,until,status,source,qid_a,qid_b\n"


def save_p190_results(store_dir: Path, path: Path) -> Path:
    """Run the P190 query file on a store and save the answer as WDQS users download it."""
    with open_store(store_dir) as store:
        answer = store.query(P190_QUERY.read_text(encoding="utf-8"))
        path.write_bytes(answer.serialize(format=ox.QueryResultsFormat.JSON))
    return path


def twinnings_by_pair(store_dir: Path) -> dict[frozenset[str], tuple[str | None, str | None]]:
    """Each twinning as its pair of QIDs → (since, until)."""
    with open_store(store_dir) as store:
        rows = store.select(
            """SELECT ?a ?b ?since ?until WHERE {
                 ?twinning a cd:Twinning ; cd:partner ?x, ?y .
                 ?x cd:qid ?a . ?y cd:qid ?b . FILTER (?a < ?b)
                 OPTIONAL { ?twinning cd:since ?since } OPTIONAL { ?twinning cd:until ?until }
               }"""
        )
    return {frozenset((r["a"], r["b"])): (r["since"], r["until"]) for r in rows}


def labels_by_qid(store_dir: Path) -> dict[str, str]:
    with open_store(store_dir) as store:
        rows = store.select(
            "SELECT ?qid ?label WHERE { ?city a cd:City ; cd:qid ?qid ; rdfs:label ?label }"
        )
    return {row["qid"]: row["label"] for row in rows}


def countries_by_qid(store_dir: Path) -> dict[str, str]:
    with open_store(store_dir) as store:
        rows = store.select(
            """SELECT DISTINCT ?qid ?iso2 WHERE {
                 ?city a cd:City ; cd:qid ?qid ; cd:country/cd:iso2 ?iso2 }"""
        )
    return {row["qid"]: row["iso2"] for row in rows}


def uri(qid: str) -> dict[str, str]:
    return {"type": "uri", "value": WD + qid}


def label(text: str) -> dict[str, str]:
    return {"type": "literal", "value": text, "xml:lang": "en"}


def literal(text: str, datatype: str = "string") -> dict[str, str]:
    return {"type": "literal", "value": text, "datatype": XSD + datatype}


def wdqs_binding(city: str, partner: str, **more: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"city": uri(city), "partner": uri(partner), **more}


def write_wdqs_results(path: Path, *bindings: object, variables: list[str] | None = None) -> Path:
    """A results file laid out as the Wikidata Query Service writes it (two-space indent)."""
    head = {"vars": variables or P190_VARIABLES}
    document = {"head": head, "results": {"bindings": list(bindings)}}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# --- SPARQL JSON results of the P190 query ----------------------------------------------------
def test_p190_query_round_trips_a_csv_through_its_json_results(tmp_path: Path) -> None:
    partnerships = tmp_path / "dortmund.csv"
    partnerships.write_text(
        CSV_HEADER
        + "Dortmund,DE,Amiens,FR,partnership,1960,,,Stadt Dortmund,Q1295,Q41604\n"
        + "Dortmund,DE,Leeds,GB,Partnerschaft,1969-05,,,Stadt Dortmund,Q1295,Q39121\n"
        + "Dortmund,DE,Rostov-on-Don,RU,partnership,1977-09-12,2022-03-03,,,Q1295,Q908\n"
        + "Weimar,DE,Blois,FR,partnership,1995-02-18,,,,Q3955,Q160927\n",
        encoding="utf-8",
    )
    ingest_partnerships(partnerships, store=tmp_path / "first", report_dir=tmp_path)
    results = save_p190_results(tmp_path / "first", tmp_path / "p190.json")

    summary = ingest_partnerships(results, store=tmp_path / "second", report_dir=tmp_path)

    assert summary.format == "sparql-results-json"
    assert summary.rows == 8  # every twinning, once from each side
    assert summary.twinnings == 4
    assert (
        twinnings_by_pair(tmp_path / "second")
        == twinnings_by_pair(tmp_path / "first")
        == {
            frozenset({"Q1295", "Q41604"}): ("1960", None),
            frozenset({"Q1295", "Q39121"}): ("1969-05", None),
            frozenset({"Q1295", "Q908"}): ("1977-09-12", "2022-03-03"),
            frozenset({"Q3955", "Q160927"}): ("1995-02-18", None),
        }
    )
    assert labels_by_qid(tmp_path / "second") == labels_by_qid(tmp_path / "first")
    assert countries_by_qid(tmp_path / "second") == countries_by_qid(tmp_path / "first")
    assert countries_by_qid(tmp_path / "second")["Q39121"] == "GB"


@pytest.mark.slow
def test_p190_query_round_trips_the_2026_twin_network(tmp_path: Path) -> None:
    ingest_partnerships(TWIN_CITIES_2026, store=tmp_path / "first", report_dir=tmp_path)
    results = save_p190_results(tmp_path / "first", tmp_path / "p190.json")

    summary = ingest_partnerships(results, store=tmp_path / "second", report_dir=tmp_path)

    links = (TWIN_CITIES_2026 / "links.tsv").read_text(encoding="utf-8").splitlines()[1:]
    pairs = {frozenset(line.split("\t")) for line in links if line.strip()}
    assert summary.twinnings == len(pairs) == 10596
    assert set(twinnings_by_pair(tmp_path / "second")) == pairs
    linked = {qid for pair in pairs for qid in pair}
    first_labels = labels_by_qid(tmp_path / "first")
    assert labels_by_qid(tmp_path / "second") == {q: first_labels[q] for q in linked}
    first_countries = countries_by_qid(tmp_path / "first")
    assert countries_by_qid(tmp_path / "second") == {
        q: first_countries[q] for q in linked if q in first_countries
    }


def test_wdqs_results_are_read_with_their_dates_as_precise_as_wikidata_states_them(
    tmp_path: Path,
) -> None:
    results = write_wdqs_results(
        tmp_path / "query.json",
        wdqs_binding(
            "Q3955",
            "Q160927",
            cityLabel=label("Weimar"),
            cityCountry=literal("DE"),
            partnerLabel=label("Blois"),
            partnerCountry=literal("FR"),
            start=literal("1995-02-18T00:00:00Z", "dateTime"),
            startPrecision=literal("11", "integer"),
        ),
        wdqs_binding(
            "Q3955",
            "Q3138",
            cityLabel=label("Weimar"),
            cityCountry=literal("DE"),
            partnerLabel=label("Trier"),
            start=literal("1987-01-01T00:00:00Z", "dateTime"),
            startPrecision=literal("9", "integer"),
            end=literal("2001-05-01T00:00:00Z", "dateTime"),
            endPrecision=literal("10", "integer"),
        ),
        wdqs_binding(
            "Q160927",
            "Q3955",
            cityLabel=label("Blois"),
            partnerLabel=label("Weimar"),
            start=literal("1995-02-18T00:00:00Z", "dateTime"),
        ),
    )

    assert detect_format(results) == "sparql-json"
    parsed, _ = read_partnerships(results)

    weimar, blois, trier = (
        Place("Weimar", "DE", "Q3955"),
        Place("Blois", "FR", "Q160927"),
        Place("Trier", None, "Q3138"),
    )
    assert [(t.partner_a, t.partner_b, t.since, t.until, t.row) for t in parsed.twinnings] == [
        (weimar, blois, PartialDate(1995, 2, 18), None, 1),
        (weimar, trier, PartialDate(1987), PartialDate(2001, 5), 2),
        (blois, weimar, PartialDate(1995, 2, 18), None, 3),
    ]
    assert {t.kind.key for t in parsed.twinnings} == {"partnership"}
    assert "2 distinct twinnings" in parsed.notes[0]


def test_a_pair_stated_from_both_sides_is_one_twinning_derived_from_both_rows(
    tmp_path: Path,
) -> None:
    results = write_wdqs_results(
        tmp_path / "query.json",
        wdqs_binding("Q3955", "Q160927", start=literal("1995-02-18T00:00:00Z", "dateTime")),
        wdqs_binding("Q160927", "Q3955", start=literal("1995-02-18T00:00:00Z", "dateTime")),
    )

    summary = ingest_partnerships(results, store=tmp_path / "store", report_dir=tmp_path)

    assert (summary.rows, summary.twinnings) == (2, 1)
    with open_store(tmp_path / "store") as store:
        rows = store.select(
            "SELECT ?row WHERE { ?t a cd:Twinning ; prov:wasDerivedFrom/cd:row ?row } ORDER BY ?row"
        )
    assert [r["row"] for r in rows] == [1, 2]


def test_a_citydiplo_place_without_qid_is_known_by_label_and_country(tmp_path: Path) -> None:
    results = write_wdqs_results(
        tmp_path / "store-answer.json",
        {
            "city": {"type": "uri", "value": "https://citydiplo.org/id/city/Q1295"},
            "cityLabel": {"type": "literal", "value": "Dortmund"},
            "partner": {"type": "uri", "value": "https://citydiplo.org/id/city/gn5128581"},
            "partnerLabel": {"type": "literal", "value": "New York City"},
            "partnerCountry": {"type": "literal", "value": "US"},
            "start": literal("1978", "gYear"),
        },
    )

    parsed, _ = read_partnerships(results)

    (twinning,) = parsed.twinnings
    assert twinning.partner_a == Place("Dortmund", None, "Q1295")
    assert twinning.partner_b == Place("New York City", "US", None)
    assert twinning.since == PartialDate(1978)


def test_results_cut_short_are_refused_with_line_and_column(tmp_path: Path) -> None:
    whole = write_wdqs_results(
        tmp_path / "query.json", wdqs_binding("Q3955", "Q160927"), wdqs_binding("Q3955", "Q3138")
    ).read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(whole[: len(whole) // 2], encoding="utf-8")

    with pytest.raises(IngestError, match="not valid JSON.*interrupted download") as caught:
        read_partnerships(cut, "sparql-json")

    assert caught.value.line == whole[: len(whole) // 2].count("\n") + 1
    assert caught.value.column is not None


def test_results_without_a_partner_variable_are_refused(tmp_path: Path) -> None:
    results = write_wdqs_results(
        tmp_path / "query.json", {"city": uri("Q3955")}, variables=["city", "cityLabel"]
    )

    with pytest.raises(IngestError, match=r"no \?partner variable"):
        read_partnerships(results)


def test_a_malformed_binding_is_reported_by_number_at_the_line_it_starts(tmp_path: Path) -> None:
    results = write_wdqs_results(
        tmp_path / "query.json",
        wdqs_binding("Q3955", "Q160927"),
        {"city": uri("Q3955"), "partner": "Q3138"},
    )
    lines = results.read_text(encoding="utf-8").splitlines()
    binding_starts = [n for n, line in enumerate(lines, start=1) if line == "      {"]

    with pytest.raises(IngestError, match=r"binding #2: \?partner is not an RDF term") as caught:
        read_partnerships(results)

    assert caught.value.line == binding_starts[1]


def test_impossible_twinnings_are_refused_or_skipped_into_the_report(tmp_path: Path) -> None:
    results = write_wdqs_results(
        tmp_path / "query.json",
        wdqs_binding("Q3955", "Q160927"),
        wdqs_binding("Q3955", "Q3955"),
        wdqs_binding(
            "Q3955", "Q3138", start=literal("2001", "gYear"), end=literal("1999", "gYear")
        ),
    )

    with pytest.raises(IngestError, match="cannot be twinned with itself"):
        read_partnerships(results)
    parsed, _ = read_partnerships(results, skip_invalid=True)

    assert [t.row for t in parsed.twinnings] == [1]
    assert [r.reason for r in parsed.rejections] == [
        "binding #2: a city cannot be twinned with itself (Q3955)",
        "binding #3: since 2001 is after until 1999",
    ]


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free localhost port; yields the endpoint's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_live_fetch_posts_the_p190_query_and_saves_the_answer(tmp_path: Path) -> None:
    ingest_partnerships(
        WIKIDATA_2016 / "weimar-entity.json", store=tmp_path / "store", report_dir=tmp_path
    )
    requests: list[tuple[dict[str, str], str]] = []

    class SparqlEndpoint(BaseHTTPRequestHandler):
        """A SPARQL protocol endpoint over a citydiplo store, standing in for WDQS."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            query = parse_qs(body)["query"][0]
            requests.append(({k.casefold(): v for k, v in self.headers.items()}, query))
            with open_store(tmp_path / "store") as store:
                answer = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: object) -> None:
            pass

    with serving(SparqlEndpoint) as endpoint:
        saved = fetch_wikidata_p190(tmp_path / "p190.json", endpoint=endpoint, timeout=30)

    ((headers, query),) = requests
    assert query == P190_QUERY.read_text(encoding="utf-8")
    assert headers["accept"] == "application/sparql-results+json"
    assert headers["user-agent"].startswith("citydiplo/")
    parsed, _ = read_partnerships(saved)
    assert len({frozenset((t.partner_a.qid, t.partner_b.qid)) for t in parsed.twinnings}) == 5


def test_live_fetch_from_an_unreachable_endpoint_says_what_to_do_instead(tmp_path: Path) -> None:
    output = tmp_path / "p190.json"

    with pytest.raises(CitydiploError, match="could not be reached.*download the results"):
        fetch_wikidata_p190(output, endpoint="http://127.0.0.1:9/sparql", timeout=10)

    assert not output.exists()


# --- raw Wikidata entity JSON (wbgetentities) -------------------------------------------------
def p190_value_claims(path: Path) -> Iterator[dict]:
    """The P190 claims that should become twinnings, read straight from the JSON."""
    for entity in json.loads(path.read_text(encoding="utf-8"))["entities"].values():
        for claim in entity["claims"].get("P190", []):
            if claim["rank"] != "deprecated" and claim["mainsnak"]["snaktype"] == "value":
                yield claim


def test_weimar_entity_gives_weimar_and_each_of_its_twinnings() -> None:
    assert detect_format(WEIMAR) == "wikidata-entity"

    parsed, _ = read_partnerships(WEIMAR)

    claims = list(p190_value_claims(WEIMAR))
    assert len(parsed.twinnings) == len(claims) == 5
    assert [t.partner_b.qid for t in parsed.twinnings] == [
        c["mainsnak"]["datavalue"]["value"]["id"] for c in claims
    ]
    (weimar,) = parsed.places
    assert (weimar.qid, weimar.name, weimar.country) == ("Q3955", "Weimar", "DE")
    assert weimar.latitude == pytest.approx(50.9833, abs=1e-3)
    assert weimar.longitude == pytest.approx(11.3167, abs=1e-3)
    assert weimar.population == 64131  # the count at the latest point in time, 2015-12-31
    first = parsed.twinnings[0]
    assert (first.partner_a, first.partner_b.qid) == (weimar, "Q160927")
    assert first.since == PartialDate(1995, 2, 18)


def test_weimar_entity_ingests_with_dates_in_the_store(tmp_path: Path, cli) -> None:
    result = cli(
        "ingest", "partnerships", WEIMAR, "--store", tmp_path / "store", "--reports", tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "wikidata-entity-json): 5 rows, 5 twinnings" in result.stdout
    assert twinnings_by_pair(tmp_path / "store")[frozenset({"Q3955", "Q160927"})] == (
        "1995-02-18",
        None,
    )


def entity_claim(partner: str, rank: str = "normal", **qualifiers: tuple[str, int]) -> dict:
    return {
        "id": f"Q3955${partner}-{rank}",
        "rank": rank,
        "mainsnak": {
            "snaktype": "value",
            "property": "P190",
            "datavalue": {"type": "wikibase-entityid", "value": {"id": partner}},
        },
        "qualifiers": {
            prop: [
                {
                    "snaktype": "value",
                    "datavalue": {"type": "time", "value": {"time": time, "precision": precision}},
                }
            ]
            for prop, (time, precision) in qualifiers.items()
        },
    }


def write_entities(path: Path, **entities: dict) -> Path:
    path.write_text(json.dumps({"entities": entities}, indent=1), encoding="utf-8")
    return path


def test_entity_claims_are_read_as_wikidata_ranks_and_precisions_mean(tmp_path: Path) -> None:
    no_value = {"rank": "normal", "mainsnak": {"snaktype": "novalue", "property": "P190"}}
    entities = write_entities(
        tmp_path / "entities.json",
        Q3955={
            "id": "Q3955",
            "labels": {"en": {"value": "Weimar"}, "fr": {"value": "Weimar (Thuringe)"}},
            "claims": {
                "P190": [
                    entity_claim("Q3138", P580=("+1987-01-01T00:00:00Z", 9)),
                    entity_claim("Q2751", "deprecated"),
                    no_value,
                    entity_claim(
                        "Q160927",
                        P580=("+1995-02-18T00:00:00Z", 11),
                        P582=("+2030-06-00T00:00:00Z", 7),
                    ),
                ]
            },
        },
        Q160927={"id": "Q160927", "labels": {"it": {"value": "Blois"}}, "claims": {}},
    )

    parsed, _ = read_partnerships(entities)

    assert parsed.row_count == 4
    assert [(t.partner_b, t.since, t.until, t.row) for t in parsed.twinnings] == [
        (Place(None, qid="Q3138"), PartialDate(1987), None, 1),
        (Place("Blois", qid="Q160927"), PartialDate(1995, 2, 18), None, 4),
    ]
    assert parsed.twinnings[0].partner_a.name == "Weimar"
    assert "1 deprecated and 1 without a value" in parsed.notes[0]


def test_entity_json_cut_short_is_refused_with_line_and_column(tmp_path: Path) -> None:
    start = WEIMAR.read_text(encoding="utf-8")[:5000]
    cut = tmp_path / "weimar.json"
    cut.write_text(start, encoding="utf-8")

    with pytest.raises(IngestError, match="not valid JSON.*interrupted download") as caught:
        read_partnerships(cut, "wikidata-entity")

    assert caught.value.line == start.count("\n") + 1
    assert caught.value.column is not None


def test_a_p190_claim_that_names_no_item_is_reported_at_its_line(tmp_path: Path) -> None:
    weimar = json.loads(WEIMAR.read_text(encoding="utf-8"))
    claim = weimar["entities"]["Q3955"]["claims"]["P190"][1]
    claim["mainsnak"]["datavalue"] = {"type": "string", "value": "Hämeenlinna"}
    broken = tmp_path / "weimar.json"
    broken.write_text(json.dumps(weimar, indent=2, ensure_ascii=False), encoding="utf-8")
    text = broken.read_text(encoding="utf-8")

    with pytest.raises(
        IngestError, match="entity Q3955, claim P190 #2: .*not a Wikidata item"
    ) as caught:
        read_partnerships(broken)

    assert caught.value.line == text[: text.index(claim["id"])].count("\n") + 1
    parsed, _ = read_partnerships(broken, skip_invalid=True)
    assert len(parsed.twinnings) == 4 and len(parsed.rejections) == 1


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"success": 1}, "no 'entities' object"),
        ({"entities": {"Q3955": {"id": "Q3955", "labels": {}}}}, "entity Q3955 has no 'claims'"),
        ({"entities": {"Q0": {"id": "Q0", "missing": ""}}}, "entity Q0 is missing"),
    ],
)
def test_json_that_is_no_wikidata_entity_answer_is_refused(
    tmp_path: Path, document: dict, problem: str
) -> None:
    path = tmp_path / "entities.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(IngestError, match=problem):
        read_partnerships(path, "wikidata-entity")
