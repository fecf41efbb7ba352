"""`citydiplo exposure`: which cities are most exposed to a third country, and through what.

The promises, on the bundled dataset (the five German documents): Duisburg reaches China
through its Wuhan twinning, COSCO's stake in its port terminal (with the control chain to the
Chinese state) and a Huawei cooperation on hold; every score is the sum of the weights of the
channels listed beside it; weights come from a documented file that users can replace; every
channel names its source. On the twin-cities-2026 graph the answer stays fast.
"""

from __future__ import annotations

import csv
import io
import json
import time
from math import prod
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from citydiplo.commands.exposure import exposure as exposure_command
from citydiplo.errors import QueryError
from citydiplo.graph import vocab
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.ingest.ties import ingest_ties
from citydiplo.queries.exposure import (
    DEFAULT_WEIGHTS,
    CityExposure,
    Exposure,
    exposure_to,
    weights_from_toml,
)

from conftest import ROOT, TWIN_CITIES_2026

IP_2022 = "IP Special 3/2022 „Pott und die Welt“"
TIES_HEADER = (
    "kind,subject,subject_type,subject_country,target,target_type,target_country,share,"
    "amount,currency,domain,status,since,until,located_in,located_in_country,critical,source"
)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled")
    ingest_bundled_dataset(folder / "store", report_dir=folder)
    return folder / "store"


def ask(store_dir: Path, country: str = "CN", **options) -> Exposure:
    with open_store(store_dir) as store:
        return exposure_to(store, country, **options)


def city(answer: Exposure, name: str) -> CityExposure:
    return next(exposure for exposure in answer.cities if exposure.city == name)


# --- the channels, with their evidence --------------------------------------------------


def test_duisburg_reaches_china_through_wuhan_cosco_and_huawei(bundled: Path) -> None:
    duisburg = city(ask(bundled), "Duisburg")
    by_via = {(channel.kind, channel.via): channel for channel in duisburg.channels}

    wuhan = by_via["partnership", "Wuhan"]
    assert wuhan.channel == "twinning"
    assert wuhan.evidence == "Duisburg – Wuhan: twinning (Partnerschaft)"
    assert wuhan.weight == 3.0

    cosco = by_via["stake", "COSCO"]
    assert cosco.evidence == (
        "COSCO holds 30 % of Duisburg Gateway Terminal (critical: port), controlled by China"
    )
    assert cosco.chain == ("COSCO", "China")
    assert cosco.factors == {"base": 3.0, "status": 1.0, "critical": 2.0}
    # The stake's row and the control tie's row: the chain is evidence too.
    assert {(s.dataset, s.row) for s in cosco.sources} == {
        ("citydiplo-demo-ties", 2),
        ("citydiplo-demo-ties", 3),
    }
    assert IP_2022 in cosco.source and "citydiplo-demo-ties rows 2, 3" in cosco.source

    huawei = by_via["cooperation", "Huawei"]
    assert huawei.status == "on-hold"
    assert huawei.evidence == "Duisburg cooperates with Huawei (CN) on smart city (on hold)"
    assert huawei.chain == ()  # Chinese by its own cd:country, no control tie stated
    assert huawei.weight == 2.0 * 0.5


def test_duisburg_has_every_kind_of_channel_in_the_bundled_data(bundled: Path) -> None:
    duisburg = city(ask(bundled), "Duisburg")

    assert duisburg.breakdown == {
        "stake": 6.0,
        "twinning": 3.0,
        "investment": 2.0,
        "cooperation": 1.0,
        "membership": 1.0,
    }
    evidence = {channel.channel: channel.evidence for channel in duisburg.channels}
    assert evidence["investment"] == "China invests in Duisburg"
    assert evidence["membership"] == (
        "Duisburg is a member of Konfuzius-Institut der Universität Duisburg-Essen as sponsor "
        "(Träger), where Wuhan University (CN) is sponsor (Träger)"
    )


def test_gelsenkirchen_cooperates_with_huawei(bundled: Path) -> None:
    gelsenkirchen = city(ask(bundled), "Gelsenkirchen")
    (cooperation,) = [c for c in gelsenkirchen.channels if c.channel == "cooperation"]

    assert (cooperation.via, cooperation.status, cooperation.weight) == ("Huawei", "active", 2.0)
    assert cooperation.evidence == "Gelsenkirchen cooperates with Huawei (CN) on smart city"
    assert "citydiplo-demo-ties row 5" in cooperation.source


def test_a_dormant_twinning_weighs_less_than_an_active_one(bundled: Path) -> None:
    answer = ask(bundled)
    (gladbeck,) = city(answer, "Gladbeck").channels
    (dortmund,) = city(answer, "Dortmund").channels

    assert (gladbeck.via, gladbeck.kind, gladbeck.status) == ("Fushun", "partnership", "dormant")
    assert (dortmund.via, dortmund.kind, dortmund.status) == ("Xi'an", "partnership", "active")
    assert gladbeck.weight == 1.5 < dortmund.weight == 3.0
    assert gladbeck.evidence == "Gladbeck – Fushun: twinning (Partnerschaft), dormant"
    assert "citydiplo-demo-partnerships row 7" in dortmund.source


def test_a_stake_nobody_abroad_holds_is_no_channel(bundled: Path) -> None:
    vias = {channel.via for channel in city(ask(bundled), "Duisburg").channels}

    # Rhine Cloud (critical: digital) belongs to the Duisburger Versorgungswerke.
    assert "Duisburger Versorgungswerke" not in vias


def test_networks_led_from_the_country_are_channels(bundled: Path) -> None:
    answer = ask(bundled, "Japan")
    (hannover,) = city(answer, "Hannover").channels

    assert hannover.via == "Mayors for Peace"
    assert hannover.evidence.endswith(
        "seated in Hiroshima (JP), where Hiroshima (JP) is founding city and Nagasaki (JP) is "
        "founding city"
    )
    # The lead roles are evidence: the rows naming Hiroshima and Nagasaki founding cities.
    assert {s.row for s in hannover.sources} == {25, 26, 27}
    assert hannover.factors["base"] == DEFAULT_WEIGHTS.membership["led-by"]


# --- the score and the ranking ----------------------------------------------------------


def test_every_score_is_the_sum_of_the_weights_of_its_listed_channels(bundled: Path) -> None:
    ranking = ask(bundled).cities

    assert ranking
    for exposure in ranking:
        assert exposure.score == pytest.approx(sum(c.weight for c in exposure.channels))
        assert sum(exposure.breakdown.values()) == pytest.approx(exposure.score)
        for channel in exposure.channels:
            assert channel.weight == pytest.approx(prod(channel.factors.values()))
            assert channel.evidence and channel.source
    scores = [exposure.score for exposure in ranking]
    assert scores == sorted(scores, reverse=True)


def test_ranking_of_german_cities_exposed_to_china(bundled: Path) -> None:
    ranking = ask(bundled, cities_in="DE").cities

    assert [(e.rank, e.city, e.score) for e in ranking] == [
        (1, "Duisburg", 13.0),
        (2, "Nordrhein-Westfalen", 11.0),
        (3, "Dortmund", 3.0),
        (3, "Essen", 3.0),
        (3, "Gelsenkirchen", 3.0),
        (6, "Gladbeck", 1.5),
        (7, "Bottrop", 1.0),
        (7, "Herten", 1.0),
    ]
    assert ranking[1].type == "Region"


def test_by_default_every_city_outside_the_country_is_ranked(bundled: Path) -> None:
    answer = ask(bundled)
    piraeus = city(answer, "Piraeus")

    assert all(exposure.country != "CN" for exposure in answer.cities)
    assert (piraeus.country, piraeus.score) == ("GR", 6.0)
    assert piraeus.channels[0].evidence == "Port of Piraeus (critical: port) is controlled by China"


def test_china_cn_chn_and_volksrepublik_china_give_one_answer(bundled: Path) -> None:
    answers = [ask(bundled, name) for name in ("China", "CN", "CHN", "Volksrepublik China")]

    assert {(answer.country, answer.iso2) for answer in answers} == {("China", "CN")}
    assert all(answer.as_list() == answers[0].as_list() for answer in answers)


def test_one_city_shows_its_full_breakdown(bundled: Path) -> None:
    (duisburg,) = ask(bundled, city="Duisburg", cities_in="GR").cities
    (bremen,) = ask(bundled, city="Bremen").cities

    (gelsenkirchen,) = ask(bundled, city="Gelsenkirchen").cities

    assert duisburg.score == 13.0 and len(duisburg.channels) == 5
    assert (bremen.city, bremen.score, bremen.channels, bremen.rank) == ("Bremen", 0, [], None)
    assert gelsenkirchen.rank == 4  # among all cities outside China, Piraeus included


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"country": "Xanadu"}, "no country is called 'Xanadu'"),
        ({"country": "Chna"}, "did you mean China"),
        ({"city": "Wuhan"}, "Wuhan is in China"),
        ({"city": "Eurocities"}, "Eurocities is a CityNetwork, not a city or region"),
        ({"city": "Duisbrug"}, "did you mean Duisburg"),
        ({"cities_in": "Volksrepublik China"}, "are both China"),
    ],
)
def test_questions_that_cannot_be_answered_say_why(
    bundled: Path, options: dict, message: str
) -> None:
    options = {"country": "CN", **options}
    with pytest.raises(QueryError, match=message):
        ask(bundled, **options)


# --- weights ----------------------------------------------------------------------------


def test_the_documented_weights_file_holds_the_default_weights() -> None:
    path = ROOT / "data" / "exposure_weights.toml"

    assert weights_from_toml(path.read_bytes(), str(path)) == DEFAULT_WEIGHTS
    assert set(DEFAULT_WEIGHTS.twinning) == {kind.key for kind in vocab.TWINNING_KINDS}
    assert set(DEFAULT_WEIGHTS.status) == set(vocab.STATUSES)
    assert set(DEFAULT_WEIGHTS.tie) == {kind.key for kind in vocab.TIE_KINDS}
    assert set(DEFAULT_WEIGHTS.critical) == set(vocab.CRITICAL_SECTORS)
    twinning = DEFAULT_WEIGHTS.twinning
    assert twinning["partnership"] > twinning["friendship"] > twinning["project"]
    assert twinning["project"] == twinning["climate"] == twinning["innovation"]
    assert twinning["innovation"] > twinning["contact"]
    assert DEFAULT_WEIGHTS.status["dormant"] < DEFAULT_WEIGHTS.status["active"]


def test_a_custom_weights_file_changes_the_ranking(bundled: Path) -> None:
    weights = weights_from_toml(b"[tie]\ncooperation = 12\n")

    default = [e.city for e in ask(bundled, cities_in="DE").cities]
    custom = [e.city for e in ask(bundled, cities_in="DE", weights=weights).cities]

    assert default[:3] == ["Duisburg", "Nordrhein-Westfalen", "Dortmund"]
    assert custom[:3] == ["Duisburg", "Gelsenkirchen", "Nordrhein-Westfalen"]
    assert weights.twinning == DEFAULT_WEIGHTS.twinning  # the keys not given keep defaults


def test_a_weight_of_zero_leaves_that_kind_out(bundled: Path) -> None:
    weights = weights_from_toml(b"[twinning]\ncontact = 0\n")

    cities = {e.city for e in ask(bundled, weights=weights).cities}

    assert "Herten" not in cities and "Bottrop" not in cities
    assert city(ask(bundled, weights=weights), "Gelsenkirchen").breakdown == {"cooperation": 2.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[tie]\ncooperation = \n", "not valid TOML"),
        (b"[ties]\nstake = 1\n", r"unknown section \[ties\]"),
        (b"[tie]\nshare = 1\n", "unknown key 'share' in \\[tie\\]; known keys: stake"),
        (b"[status]\ndormant = -1\n", "status.dormant must be a number ≥ 0"),
        (b'[twinning]\npartnership = "high"\n', "twinning.partnership must be a number"),
        (b"tie = 3\n", r"tie must be a section \[tie\]"),
        ("[tie]\nstake = 1 # Häfen\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_bad_weights_files_are_refused_with_the_reason(text: bytes, message: str) -> None:
    with pytest.raises(QueryError, match=f"weights.toml.*{message}"):
        weights_from_toml(text, "weights.toml")


# --- control chains ---------------------------------------------------------------------


def test_the_control_chain_is_followed_to_the_state(tmp_path: Path) -> None:
    ties = tmp_path / "ties.csv"
    rows = [
        TIES_HEADER,
        "stake,Piraeus Container Terminal,Organisation,GR,Container Terminal Tollerort,Asset,"
        "DE,24.99,,,,,,,Hamburg,DE,port,Hafenbericht 2023",
        "control,Piraeus Container Terminal,Organisation,GR,COSCO,Organisation,CN,,,,,,,,,,,"
        "Jahresbericht COSCO",
        "control,COSCO,Organisation,CN,China,Country,CN,,,,,,,,,,,Jahresbericht COSCO",
        # Control that has ended attributes nothing any more.
        "control,Rotterdam Logistics,Organisation,NL,China,Country,CN,,,,,ended,,2020,,,,"
        "Handelsblatt 2021",
        "investment,Rotterdam Logistics,Organisation,NL,Hamburg,City,DE,,5000000,EUR,,,,,,,,"
        "Handelsblatt 2021",
        "investment,COSCO,Organisation,CN,Hamburg,City,DE,,7500000,EUR,,,,,,,,Hafenbericht 2023",
    ]
    ties.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    ingest_ties(ties, store=store)

    (hamburg,) = ask(store).cities

    stake, investment = hamburg.channels
    assert investment.evidence == "COSCO invests EUR 7,500,000 in Hamburg, controlled by China"
    assert stake.evidence == (
        "Piraeus Container Terminal holds 24.99 % of Container Terminal Tollerort "
        "(critical: port), controlled by COSCO → China"
    )
    assert stake.chain == ("Piraeus Container Terminal", "COSCO", "China")
    assert [(s.row, s.citation) for s in stake.sources] == [
        (2, "Hafenbericht 2023"),
        (3, "Jahresbericht COSCO"),
        (4, "Jahresbericht COSCO"),
    ]


# --- the command ------------------------------------------------------------------------


def test_the_command_prints_the_ranking_and_one_citys_channels(bundled: Path) -> None:
    app = typer.Typer()
    app.command()(exposure_command)
    app.command("unused")(lambda: None)  # with two commands typer keeps the command name
    runner = CliRunner(env={"COLUMNS": "200"})

    table = runner.invoke(app, ["exposure", "--to", "CN", "--store", str(bundled)])
    one = runner.invoke(
        app, ["exposure", "--to", "CN", "--city", "Gladbeck", "--store", str(bundled)]
    )

    assert table.exit_code == 0, table.output
    assert "Exposure to China" in table.output
    assert "1 stake (6), 1 twinning (3), 1 investment (2)" in table.output
    assert one.exit_code == 0, one.output
    assert "Fushun" in one.output and "dormant" in one.output


def test_json_keeps_the_contract(cli, bundled: Path) -> None:
    result = cli("exposure", "--to", "China", "--format", "json", "--store", bundled)

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert [entry["city"] for entry in answer[:2]] == ["Duisburg", "Nordrhein-Westfalen"]
    for entry in answer:
        assert {"city", "iri", "country", "score", "channels"} <= set(entry)
        for channel in entry["channels"]:
            assert {"kind", "via", "evidence", "source"} <= set(channel)
    assert [entry["score"] for entry in answer] == sorted(
        (entry["score"] for entry in answer), reverse=True
    )


def test_one_citys_channels_as_csv(cli, bundled: Path) -> None:
    result = cli("exposure", "--to", "CN", "--city", "Duisburg", "-f", "csv", "--store", bundled)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "channel,kind,via,weight,evidence,source"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["channel"], row["via"], row["weight"]) for row in rows] == [
        ("stake", "COSCO", "6"),
        ("twinning", "Wuhan", "3"),
        ("investment", "China", "2"),
        ("cooperation", "Huawei", "1"),
        ("membership", "Konfuzius-Institut der Universität Duisburg-Essen", "1"),
    ]
    assert rows[0]["source"].endswith("[citydiplo-demo-ties rows 2, 3]")


def test_weights_file_on_the_command_line(cli, bundled: Path, tmp_path: Path) -> None:
    weights = tmp_path / "weights.toml"
    weights.write_text("[tie]\ncooperation = 12\n", encoding="utf-8")

    result = cli(
        "exposure", "--to", "CN", "--country-of-cities", "DE", "--weights", weights,
        "-f", "csv", "--store", bundled,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].startswith("2,Gelsenkirchen,DE,13,")


def test_unknown_country_exits_2_with_one_sentence(cli, bundled: Path) -> None:
    result = cli("exposure", "--to", "Atlantis", "--store", bundled)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: no country is called 'Atlantis': give its English or German name or its ISO "
        "3166 code (CN or CHN for China)"
    )
    assert result.stdout == ""


# --- a big graph ------------------------------------------------------------------------


@pytest.mark.slow
def test_exposure_on_the_twin_cities_graph_takes_seconds(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest_partnerships(TWIN_CITIES_2026, store=store)
    ingest_bundled_dataset(store, report_dir=tmp_path)

    with open_store(store) as graph_store:
        started = time.perf_counter()
        answer = exposure_to(graph_store, "CN")
        elapsed = time.perf_counter() - started
        german = exposure_to(graph_store, "CN", cities_in="DE").cities

    assert elapsed < 5, f"exposure to China took {elapsed:.1f} s"
    assert len(answer.cities) > 500
    assert german[0].city == "Duisburg"
    datasets = {s.dataset for e in german for c in e.channels for s in c.sources}
    assert {"twin-cities-2026", "citydiplo-demo-ties"} <= datasets
