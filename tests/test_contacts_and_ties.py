"""Federal contacts and dependency ties: what the graph says after ingest, and what it refuses.

The rows restate facts of ../shared/data/seed-facts/seed_facts.json: the Urban Diplomacy
Exchange of the Auswärtiges Amt funding Dortmund's 2024 trip to Buffalo, SKEW's round table on
partnerships with China, the Deutscher Städtetag representing its member cities in CEMR and
UCLG, COSCO's 30 % of the Duisburg Gateway Terminal, Huawei's smart-city cooperation with
Gelsenkirchen and (on hold) Duisburg.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from citydiplo.errors import IngestError
from citydiplo.graph.store import open_store
from citydiplo.ingest.contacts import ingest_contacts
from citydiplo.ingest.ties import ingest_ties

from conftest import store_fingerprint

CONTACTS_HEADER = (
    "kind,from,from_type,from_country,to,to_type,to_country,via,via_type,programme,"
    "amount,currency,since,until,description,source"
)
TIES_HEADER = (
    "kind,subject,subject_type,subject_country,target,target_type,target_country,share,"
    "amount,currency,domain,status,since,until,located_in,located_in_country,critical,source"
)
IP_2025 = '"Internationale Politik, 24 Jan 2025"'
IP_2022 = '"IP Special 3/2022, Pott und die Welt"'
DGAP = '"DGAP memo on critical infrastructure, 2021"'
DST = '"Deutscher Städtetag, Städte in der Welt, 2021"'
CEMR = "Council of European Municipalities and Regions"
CONTACT_ROWS = (
    f"funding,Dortmund,City,DE,Auswärtiges Amt,FederalBody,DE,,,Urban Diplomacy Exchange,,,"
    f"2024,,Fachaustausch-Reise nach Buffalo,{IP_2025}",
    f"Koordinierungsrunde,Deutscher Städtetag,Association,DE,Auswärtiges Amt,,DE,,,,,,,,"
    f"China-Runde mit Kommunalverbänden,{DGAP}",
    f"round table,Duisburg,,DE,Servicestelle Kommunen in der Einen Welt,,DE,,,,,,,,"
    f"Runder Tisch Kommunale Partnerschaften mit China,{DGAP}",
    f"representation,Dortmund,,DE,{CEMR},CityNetwork,BE,Deutscher Städtetag,,,,,,,"
    f"vertritt seine Mitglieder im CEMR,{DST}",
)
TIE_ROWS = (
    f"stake,COSCO,Organisation,CN,Duisburg Gateway Terminal,Asset,DE,30 %,,,,,,,"
    f"Duisburg,DE,Hafen,{IP_2022}",
    f"Kooperation,Gelsenkirchen,City,DE,Huawei,,CN,,,,smart city,active,,,,,,{IP_2022}",
    f"cooperation,Duisburg,City,DE,Huawei,,CN,,,,smart city,on hold,,,,,,{IP_2022}",
    f"control,COSCO,,CN,People's Republic of China,Country,,,,,,,,,,,,{IP_2022}",
)


def write(path: Path, header: str, *rows: str) -> Path:
    """A CSV with `header` on line 1 and `rows` from line 2 on."""
    path.write_text("".join(line + "\n" for line in (header, *rows)), encoding="utf-8")
    return path


def select(store_dir: Path, sparql: str, **params) -> list[dict]:
    with open_store(store_dir) as store:
        return store.select(sparql, **params)


def names(store_dir: Path, sparql: str) -> set[tuple]:
    return {tuple(row.values()) for row in select(store_dir, sparql)}


@pytest.fixture
def contacts_store(tmp_path: Path, store_dir: Path) -> Path:
    ingest_contacts(
        write(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS), store=store_dir
    )
    return store_dir


@pytest.fixture
def ties_store(tmp_path: Path, store_dir: Path) -> Path:
    ingest_ties(write(tmp_path / "ties.csv", TIES_HEADER, *TIE_ROWS), store=store_dir)
    return store_dir


# --- contacts ---------------------------------------------------------------------------


def test_funding_names_the_programme_the_body_and_the_year(contacts_store: Path) -> None:
    rows = select(
        contacts_store,
        """SELECT DISTINCT ?city ?body ?programme ?since WHERE {
             ?funding a cd:Funding, cd:Contact ; cd:contactKind contactkind:funding ;
                      cd:from/rdfs:label ?city ; cd:to/rdfs:label ?body ;
                      cd:programme/rdfs:label ?programme ; cd:since ?since .
             ?c rdfs:label ?city ; cd:fundedBy/rdfs:label ?programme .
           }""",
    )
    assert rows == [
        {
            "city": "Dortmund",
            "body": "Auswärtiges Amt",
            "programme": "Urban Diplomacy Exchange",
            "since": "2024",
        }
    ]


def test_english_and_german_kind_names_meet_in_one_scheme(contacts_store: Path) -> None:
    kinds = names(
        contacts_store,
        "SELECT DISTINCT ?kind WHERE { ?c a cd:Contact ; cd:contactKind ?kind }",
    )
    assert {k[0].rsplit("/", 1)[1] for k in kinds} == {
        "funding",
        "coordination-round",
        "representation",
    }


def test_a_mediated_contact_is_told_apart_from_a_direct_one(contacts_store: Path) -> None:
    mediated = names(
        contacts_store,
        """SELECT DISTINCT ?party ?via ?body WHERE {
             ?c a cd:Contact ; cd:from/rdfs:label ?party ; cd:via/rdfs:label ?via ;
                cd:to/rdfs:label ?body .
           }""",
    )
    assert mediated == {("Dortmund", "Deutscher Städtetag", CEMR)}
    reaches = names(
        contacts_store,
        "SELECT DISTINCT ?a ?b WHERE { ?x cd:reaches ?y . ?x rdfs:label ?a . ?y rdfs:label ?b }",
    )
    assert ("Dortmund", "Deutscher Städtetag") in reaches
    assert ("Deutscher Städtetag", CEMR) in reaches
    assert ("Dortmund", CEMR) not in reaches
    # The direct contacts: the city and the association reach the federal body themselves.
    assert ("Dortmund", "Auswärtiges Amt") in reaches
    assert ("Deutscher Städtetag", "Auswärtiges Amt") in reaches
    assert ("Duisburg", "Servicestelle Kommunen in der Einen Welt") in reaches


def test_every_body_has_a_country(contacts_store: Path) -> None:
    bodies = names(
        contacts_store,
        """SELECT DISTINCT ?body ?iso2 WHERE {
             ?c a cd:Contact ; cd:to ?b . ?b rdfs:label ?body .
             OPTIONAL { ?b cd:country/cd:iso2 ?iso2 }
           }""",
    )
    assert bodies == {
        ("Auswärtiges Amt", "DE"),
        ("Servicestelle Kommunen in der Einen Welt", "DE"),
        (CEMR, "BE"),
    }


def test_an_amount_is_a_decimal_with_its_currency(tmp_path: Path, store_dir: Path) -> None:
    # The amount is illustrative: the documents name the grant, not its size.
    row = (
        "Förderung,Dortmund,,DE,Auswärtiges Amt,,DE,,,Urban Diplomacy Exchange,25000.50,eur,"
        f"2024,,,{IP_2025}"
    )
    ingest_contacts(write(tmp_path / "grant.csv", CONTACTS_HEADER, row), store=store_dir)
    rows = select(
        store_dir,
        """SELECT DISTINCT ?amount ?currency (DATATYPE(?amount) AS ?type) WHERE {
             ?c cd:amount ?amount ; cd:currency ?currency }""",
    )
    assert rows == [
        {"amount": 25000.5, "currency": "EUR", "type": "http://www.w3.org/2001/XMLSchema#decimal"}
    ]


def test_funding_by_a_body_needs_no_programme_and_no_amount(
    tmp_path: Path, store_dir: Path
) -> None:
    row = (
        "funding,Klimainitiative Essen,Project,DE,Bundesministerium für Bildung und Forschung,"
        f",DE,,,,,,,,BMBF-Verbundprojekt,{IP_2022}"
    )
    ingest_contacts(write(tmp_path / "bmbf.csv", CONTACTS_HEADER, row), store=store_dir)
    assert names(
        store_dir,
        """SELECT DISTINCT ?funder WHERE {
             ?project rdfs:label|schema:alternateName "Klimainitiative Essen" ;
                      cd:fundedBy/rdfs:label ?funder }""",
    ) == {("Bundesministerium für Bildung und Forschung",)}


def test_a_programme_takes_its_country_from_the_registry_before_the_body(
    tmp_path: Path, store_dir: Path
) -> None:
    # Erasmus+ is an EU programme; the row's only country is the German body's.
    row = (
        "funding,Düsseldorf,,DE,Bundesministerium für Bildung und Forschung,,DE,,,Erasmus+,,,"
        f"2019,,EU-Zubis,{DST}"
    )
    ingest_contacts(write(tmp_path / "erasmus.csv", CONTACTS_HEADER, row), store=store_dir)
    assert names(
        store_dir,
        "SELECT DISTINCT ?iso2 WHERE { ?c cd:programme/cd:country/cd:iso2 ?iso2 }",
    ) == {("BE",)}


def test_a_registry_network_may_be_named_by_its_abbreviation(
    tmp_path: Path, store_dir: Path
) -> None:
    row = f"representation,Deutscher Städtetag,Association,DE,CEMR,CityNetwork,BE,,,,,,,,,{DST}"
    ingest_contacts(write(tmp_path / "cemr.csv", CONTACTS_HEADER, row), store=store_dir)
    assert names(
        store_dir,
        "SELECT DISTINCT ?b WHERE { ?c a cd:Contact ; cd:to/rdfs:label ?b }",
    ) == {(CEMR,)}


# --- ties -------------------------------------------------------------------------------


def test_a_stake_has_its_share_and_the_asset_its_city_and_sector(ties_store: Path) -> None:
    rows = select(
        ties_store,
        """SELECT DISTINCT ?owner ?asset ?share ?city ?sector WHERE {
             ?stake a cd:Stake ; cd:tieKind tiekind:stake ; cd:share ?share ;
                    cd:owner/rdfs:label ?owner ; cd:asset ?a .
             ?a a cd:Asset ; rdfs:label ?asset ; cd:critical ?sector ;
                cd:locatedIn/rdfs:label ?city .
             ?o rdfs:label ?owner ; cd:ownsStakeIn ?a .
           }""",
    )
    assert rows == [
        {
            "owner": "COSCO",
            "asset": "Duisburg Gateway Terminal",
            "share": 30,
            "city": "Duisburg",
            "sector": "port",
        }
    ]


def test_a_cooperation_keeps_its_domain_and_status(ties_store: Path) -> None:
    rows = names(
        ties_store,
        """SELECT DISTINCT ?city ?vendor ?domain ?status WHERE {
             ?tie a cd:Cooperation ; cd:participant/rdfs:label ?city ;
                  cd:vendor/rdfs:label ?vendor ; cd:domain ?domain ; cd:status ?status .
           }""",
    )
    assert rows == {
        ("Gelsenkirchen", "Huawei", "smart city", "https://citydiplo.org/id/status/active"),
        ("Duisburg", "Huawei", "smart city", "https://citydiplo.org/id/status/on-hold"),
    }


def test_a_city_is_linked_to_the_state_that_controls_its_port_stakeholder(
    ties_store: Path,
) -> None:
    # The chain the dependency queries follow: city ← asset ← owner → controlling state.
    rows = names(
        ties_store,
        """SELECT DISTINCT ?city ?owner ?state WHERE {
             ?asset cd:locatedIn/rdfs:label ?city ; cd:critical "port" .
             ?o cd:ownsStakeIn ?asset ; cd:controlledBy ?s ; rdfs:label ?owner .
             ?s a cd:Country ; cd:iso2 ?state .
           }""",
    )
    assert rows == {("Duisburg", "COSCO", "CN")}
    assert names(
        ties_store,
        """SELECT DISTINCT ?c WHERE { ?tie a cd:Control ; cd:controller ?c .
                                      ?c a cd:Country }""",
    ) == {("https://citydiplo.org/id/country/CN",)}


@pytest.mark.parametrize("state", ["People's Republic of China", "Volksrepublik China", "CHN"])
def test_a_controlling_state_may_be_named_in_english_german_or_iso(
    tmp_path: Path, store_dir: Path, state: str
) -> None:
    row = f'control,COSCO,,CN,"{state}",Country,,,,,,,,,,,,{IP_2022}'
    ingest_ties(write(tmp_path / "control.csv", TIES_HEADER, row), store=store_dir)
    assert names(
        store_dir, "SELECT DISTINCT ?state WHERE { ?c cd:controlledBy/cd:iso2 ?state }"
    ) == {("CN",)}


def test_every_contact_and_tie_says_which_row_of_which_source(
    contacts_store: Path, tmp_path: Path
) -> None:
    ingest_ties(write(tmp_path / "ties.csv", TIES_HEADER, *TIE_ROWS), store=contacts_store)
    rows = select(
        contacts_store,
        """SELECT DISTINCT ?class ?source ?row ?citation WHERE {
             VALUES ?class { cd:Contact cd:Stake cd:Cooperation cd:Control }
             ?relation a ?class ; prov:wasDerivedFrom ?record .
             ?record cd:row ?row ; cd:citation ?citation ;
                     prov:hadPrimarySource/rdfs:label ?source .
           }""",
    )
    found = {(r["class"].rsplit("#", 1)[1], r["source"], r["row"]) for r in rows}
    assert found == {
        ("Contact", "contacts", 2),
        ("Contact", "contacts", 3),
        ("Contact", "contacts", 4),
        ("Contact", "contacts", 5),
        ("Stake", "ties", 2),
        ("Cooperation", "ties", 3),
        ("Cooperation", "ties", 4),
        ("Control", "ties", 5),
    }
    assert {r["citation"] for r in rows if r["source"] == "ties"} == {
        "IP Special 3/2022, Pott und die Welt"
    }


def test_reingesting_contacts_and_ties_adds_nothing(tmp_path: Path, store_dir: Path) -> None:
    contacts = write(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS)
    ties = write(tmp_path / "ties.csv", TIES_HEADER, *TIE_ROWS)
    first = [ingest_contacts(contacts, store=store_dir), ingest_ties(ties, store=store_dir)]
    with open_store(store_dir) as store:
        before = set(map(str, store.quads()))

    again = [ingest_contacts(contacts, store=store_dir), ingest_ties(ties, store=store_dir)]

    assert [s.relations for s in first] == [
        {"Contact": 4},
        {"Stake": 1, "Cooperation": 2, "Control": 1},
    ]
    assert all(s.unchanged and s.triples_added == 0 for s in again)
    with open_store(store_dir) as store:
        assert set(map(str, store.quads())) == before


# --- bad input --------------------------------------------------------------------------

GOOD_CONTACT, GOOD_TIE = CONTACT_ROWS[0], TIE_ROWS[0]


def contact(**cells: str) -> str:
    """The first good contact row with some cells replaced."""
    return _replaced(CONTACTS_HEADER, GOOD_CONTACT, cells)


def tie(row: str = GOOD_TIE, **cells: str) -> str:
    return _replaced(TIES_HEADER, row, cells)


def _replaced(header: str, row: str, cells: dict[str, str]) -> str:
    values = dict(zip(header.split(","), next(csv.reader([row])), strict=True))
    values.update(cells)
    return ",".join(f'"{v}"' if "," in v else v for v in values.values())


BAD_CONTACTS = [
    pytest.param(
        (CONTACTS_HEADER.replace(",via_type", ""), GOOD_CONTACT),
        1,
        ("missing", "via_type"),
        id="missing column",
    ),
    pytest.param(
        (CONTACTS_HEADER + ",remarks", GOOD_CONTACT + ",x"),
        1,
        ("unknown column", "remarks"),
        id="extra column",
    ),
    pytest.param(
        (CONTACTS_HEADER, GOOD_CONTACT, contact(kind="Städtepartnerschaft")),
        3,
        ("unknown kind", "Städtepartnerschaft", "contact point", "coordination round"),
        id="unknown kind",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(from_type="Stadtwerk")),
        2,
        ("unknown type", "Stadtwerk", "City", "Association"),
        id="unknown type",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(to_type="City")),
        2,
        ("to_type cannot be City", "FederalBody"),
        id="a body that is a city",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(to_country="")),
        2,
        ("to_country is empty",),
        id="body without country",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(from_country="Atlantis")),
        2,
        ("unknown country", "Atlantis"),
        id="unknown country",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(to=CEMR, to_type="CityNetwork", to_country="DE")),
        2,
        ("registry", "Belgium"),
        id="country contradicting the registry",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(amount="viel", currency="EUR")),
        2,
        ("not a number",),
        id="amount not a number",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(amount="-500", currency="EUR")),
        2,
        ("negative",),
        id="negative amount",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(amount="50.000", currency="EUR")),
        2,
        ("ambiguous", "50000"),
        id="German thousands separator",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(amount="5000", currency="Euro")),
        2,
        ("ISO 4217",),
        id="currency not three letters",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(amount="5000")),
        2,
        ("needs a currency",),
        id="amount without currency",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(since="2024-13")),
        2,
        ("since", "month 13"),
        id="bad date",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(since="2024", until="2021")),
        2,
        ("since 2024 is after until 2021",),
        id="since after until",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(to="Dortmund", to_type="Organisation", from_type="Organisation")),
        2,
        ("same party",),
        id="contact with itself",
    ),
    pytest.param(
        (CONTACTS_HEADER, GOOD_CONTACT, CONTACT_ROWS[1], GOOD_CONTACT),
        4,
        ("duplicate row", "line 2"),
        id="duplicate row",
    ),
    pytest.param(
        (CONTACTS_HEADER, contact(description="StÃ¤dtetag")),
        2,
        ("mojibake", "Städtetag"),
        id="mojibake",
    ),
    pytest.param((CONTACTS_HEADER, contact(source="")), 2, ("source is empty",), id="no source"),
    pytest.param((CONTACTS_HEADER,), 1, ("no data rows",), id="header only"),
]

BAD_TIES = [
    pytest.param(
        (TIES_HEADER.replace(",critical", ""), GOOD_TIE),
        1,
        ("missing", "critical"),
        id="missing column",
    ),
    pytest.param(
        (TIES_HEADER, GOOD_TIE, tie(kind="Freundschaft")),
        3,
        ("unknown kind", "ownership stake", "control"),
        id="unknown kind",
    ),
    pytest.param(
        (TIES_HEADER, tie(share="130")),
        2,
        ("share 130", "between 0 and 100"),
        id="share above 100",
    ),
    pytest.param(
        (TIES_HEADER, tie(share="-5")),
        2,
        ("share -5", "between 0 and 100"),
        id="negative share",
    ),
    pytest.param(
        (TIES_HEADER, tie(share="dreißig")), 2, ("not a number",), id="share not a number"
    ),
    pytest.param(
        (TIES_HEADER, tie(TIE_ROWS[2], share="30")),
        2,
        ("share is for",),
        id="share on a cooperation",
    ),
    pytest.param(
        (TIES_HEADER, tie(subject_type="Konzern")),
        2,
        ("unknown type", "Konzern", "Asset"),
        id="unknown type",
    ),
    pytest.param(
        (TIES_HEADER, tie(subject_country="Cathay")),
        2,
        ("unknown country", "Cathay"),
        id="unknown country",
    ),
    pytest.param(
        (TIES_HEADER, tie(critical="Bergbau")),
        2,
        ("unknown critical sector", "Bergbau", "port"),
        id="unknown sector",
    ),
    pytest.param(
        (TIES_HEADER, tie(target_type="Organisation")),
        2,
        ("neither subject_type nor target_type is Asset",),
        id="located_in without an asset",
    ),
    pytest.param(
        (TIES_HEADER, tie(TIE_ROWS[3], target="Huawei")),
        2,
        ("'Huawei' is typed Country but is not a country",),
        id="a company typed Country",
    ),
    pytest.param(
        (TIES_HEADER, tie(TIE_ROWS[3], target_type="")),
        2,
        ("is a country", "set target_type to Country"),
        id="a state left at the default type",
    ),
    pytest.param(
        (
            TIES_HEADER,
            tie(
                target="COSCO",
                target_type="Organisation",
                target_country="CN",
                located_in="",
                located_in_country="",
                critical="",
            ),
        ),
        2,
        ("subject and target are the same",),
        id="self-tie",
    ),
    pytest.param(
        (
            TIES_HEADER,
            tie(
                TIE_ROWS[1],
                subject="Huawei",
                subject_type="",
                subject_country="CN",
                target="Gelsenkirchen",
                target_type="City",
                target_country="DE",
            ),
        ),
        2,
        ("target_type cannot be City",),
        id="cooperation with the vendor as subject",
    ),
    pytest.param(
        (TIES_HEADER, tie(TIE_ROWS[1], status="vielleicht")),
        2,
        ("unknown status", "on-hold"),
        id="unknown status",
    ),
    pytest.param(
        (TIES_HEADER, tie(since="2022", until="2020")),
        2,
        ("since 2022 is after until 2020",),
        id="since after until",
    ),
    pytest.param(
        (TIES_HEADER, GOOD_TIE, tie(share="25")),
        3,
        ("duplicate row", "line 2"),
        id="duplicate row",
    ),
    pytest.param(
        (
            TIES_HEADER,
            GOOD_TIE,
            tie(subject="Duisburger Hafen", subject_country="DE", located_in="Dortmund"),
        ),
        3,
        ("line 2", "Duisburg", "Dortmund"),
        id="asset located in two cities",
    ),
]


@pytest.fixture
def filled_store(tmp_path: Path, store_dir: Path) -> Path:
    """A store already holding a valid contacts and ties source."""
    ingest_contacts(
        write(tmp_path / "good-contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS[:1]), store=store_dir
    )
    ingest_ties(write(tmp_path / "good-ties.csv", TIES_HEADER, *TIE_ROWS[:1]), store=store_dir)
    return store_dir


def assert_refused(ingest, path: Path, store: Path, line: int, words: tuple[str, ...]) -> None:
    before = store_fingerprint(store)
    with pytest.raises(IngestError) as error:
        ingest(path, store=store)
    message = str(error.value)
    assert message.startswith(f"{path}, line {line}"), message
    for word in words:
        assert word in message, message
    assert store_fingerprint(store) == before


@pytest.mark.parametrize(("lines", "line", "words"), BAD_CONTACTS)
def test_a_bad_contacts_file_is_refused_with_its_line(
    tmp_path: Path, filled_store: Path, lines: tuple[str, ...], line: int, words: tuple[str, ...]
) -> None:
    path = write(tmp_path / "contacts.csv", *lines)
    assert_refused(ingest_contacts, path, filled_store, line, words)


@pytest.mark.parametrize(("lines", "line", "words"), BAD_TIES)
def test_a_bad_ties_file_is_refused_with_its_line(
    tmp_path: Path, filled_store: Path, lines: tuple[str, ...], line: int, words: tuple[str, ...]
) -> None:
    path = write(tmp_path / "ties.csv", *lines)
    assert_refused(ingest_ties, path, filled_store, line, words)


@pytest.mark.parametrize("ingest", [ingest_contacts, ingest_ties])
@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "0 bytes"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file")],
    ids=["empty", "binary"],
)
def test_an_empty_or_binary_file_is_refused(
    tmp_path: Path, filled_store: Path, ingest, data: bytes, words: str
) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(data)
    before = store_fingerprint(filled_store)
    with pytest.raises(IngestError, match=words):
        ingest(path, store=filled_store)
    assert store_fingerprint(filled_store) == before


def test_mojibake_is_repaired_on_request(tmp_path: Path, store_dir: Path) -> None:
    path = write(
        tmp_path / "contacts.csv",
        CONTACTS_HEADER,
        CONTACT_ROWS[1].replace("Städtetag", "StÃ¤dtetag"),
    )
    ingest_contacts(path, store=store_dir, repair_mojibake=True)
    assert ("Deutscher Städtetag",) in names(
        store_dir, "SELECT DISTINCT ?n WHERE { ?c cd:from/rdfs:label ?n }"
    )


def test_skip_invalid_ingests_the_good_rows_and_reports_the_bad(
    tmp_path: Path, store_dir: Path
) -> None:
    path = write(tmp_path / "ties.csv", TIES_HEADER, TIE_ROWS[0], tie(share="130"), *TIE_ROWS[1:])
    summary = ingest_ties(path, store=store_dir, skip_invalid=True, report_dir=tmp_path)

    assert summary.relations == {"Stake": 1, "Cooperation": 2, "Control": 1}
    with open(summary.rejected_report, encoding="utf-8") as report:
        rejected = list(csv.DictReader(report))
    assert [(r["line"], r["reason"]) for r in rejected] == [
        ("3", "column share: share 130 is not between 0 and 100 (per cent)")
    ]


# --- the command line -------------------------------------------------------------------


def test_cli_refuses_a_bad_contacts_file_with_exit_2(cli, tmp_path: Path, store_dir: Path) -> None:
    path = write(tmp_path / "contacts.csv", CONTACTS_HEADER, contact(kind="Städtepartnerschaft"))
    result = cli("ingest", "contacts", path, "--store", store_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith(f"Error: {path}, line 2") and "unknown kind" in message
    assert "Traceback" not in result.stderr
    assert not store_dir.exists()


def test_cli_refuses_a_bad_ties_file_with_exit_2(cli, tmp_path: Path, store_dir: Path) -> None:
    path = write(tmp_path / "ties.csv", TIES_HEADER, tie(share="130"))
    result = cli("ingest", "ties", path, "--store", store_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith(f"Error: {path}, line 2") and "between 0 and 100" in message
    assert not store_dir.exists()


def test_cli_skip_invalid_writes_the_rejection_report(cli, tmp_path: Path, store_dir: Path) -> None:
    path = write(tmp_path / "ties.csv", TIES_HEADER, TIE_ROWS[0], tie(share="130"))
    result = cli(
        "ingest", "ties", path, "--store", store_dir, "--skip-invalid", "--reports", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "citydiplo-rejected-ties.csv").is_file()


def test_cli_ingests_contacts_under_the_source_name_given(
    cli, tmp_path: Path, store_dir: Path
) -> None:
    path = write(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS)
    result = cli("ingest", "contacts", path, "--store", store_dir, "--source-name", "federal")
    assert result.returncode == 0, result.stderr
    assert names(store_dir, "SELECT DISTINCT ?n WHERE { ?s a cd:Source ; rdfs:label ?n }") == {
        ("federal",)
    }


def test_a_missing_file_is_refused_before_any_store_is_opened(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        ingest_ties(tmp_path / "nowhere.csv", store=tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_a_contacts_file_may_use_semicolons(tmp_path: Path, store_dir: Path) -> None:
    rows = [line.replace(",", ";") for line in (CONTACTS_HEADER, CONTACT_ROWS[2])]
    path = tmp_path / "semicolons.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = ingest_contacts(path, store=store_dir)
    assert summary.relations == {"Contact": 1}


def test_an_asset_stated_twice_is_described_once(tmp_path: Path, store_dir: Path) -> None:
    investment = tie(
        kind="investment",
        share="",
        amount="100000000",
        currency="EUR",
        located_in="",
        located_in_country="",
        critical="",
    )
    path = write(tmp_path / "ties.csv", TIES_HEADER, TIE_ROWS[0], investment)
    ingest_ties(path, store=store_dir)
    assert names(
        store_dir,
        """SELECT DISTINCT ?city ?sector WHERE {
             ?a a cd:Asset ; cd:locatedIn/rdfs:label ?city ; cd:critical ?sector }""",
    ) == {("Duisburg", "port")}
