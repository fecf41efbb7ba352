"""The bundled city-diplomacy dataset (data/demo): what the five source documents state is in
the graph, or listed with its reason in data/demo/EXCLUSIONS.md.

The four files go through the same library functions as any user's file, in the order
data/demo/SOURCES.md gives, into one fresh store; the checks read that store. The facts come
from ../shared/data/seed-facts/seed_facts.json.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from citydiplo.graph.store import open_store
from citydiplo.ingest.contacts import ingest_contacts
from citydiplo.ingest.countries import fold
from citydiplo.ingest.memberships import ingest_memberships
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.ingest.pipeline import IngestSummary
from citydiplo.ingest.ties import ingest_ties

from conftest import ROOT, SEED_FACTS

DEMO = ROOT / "data" / "demo"
# Places first: contacts and ties have no QID columns and meet the places by name.
INGEST_ORDER: tuple[tuple[str, Callable[..., IngestSummary]], ...] = (
    ("partnerships.csv", ingest_partnerships),
    ("memberships.csv", ingest_memberships),
    ("contacts.csv", ingest_contacts),
    ("ties.csv", ingest_ties),
)
CHECKED_PREDICATES = (
    "twinned_with",
    "friendship_with",
    "project_partner_with",
    "member_of",
    "funded_by",
    "owns_stake_in",
    "invests_in",
)
# The twinning kinds a seed predicate may become (the kind the evidence names).
TWINNING_KINDS = {
    "twinned_with": {"partnership"},
    "friendship_with": {"friendship"},
    "project_partner_with": {"project", "climate", "innovation"},
}
# Seed entities whose seed names are not the bundle's: the Land Bremen is not the city.
BUNDLE_NAMES = {"land_bremen": "Freie Hansestadt Bremen"}
SEED_FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
UNCLEAR_PLACES = ("ambiguous", "unresolved")


@dataclass(frozen=True)
class BundledGraph:
    store: Path
    summaries: dict[str, IngestSummary]
    reports: Path


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> BundledGraph:
    """The four files ingested into one fresh store."""
    base = tmp_path_factory.mktemp("bundled")
    store, reports = base / "store", base / "reports"
    reports.mkdir()
    summaries = {
        name: ingest(DEMO / name, store=store, report_dir=reports) for name, ingest in INGEST_ORDER
    }
    return BundledGraph(store, summaries, reports)


def select(bundled: BundledGraph, sparql: str, **params) -> list[dict]:
    with open_store(bundled.store) as store:
        return store.select(sparql, **params)


# --- finding seed entities and relations in the graph ---------------------------------------


def seed_facts() -> dict:
    return json.loads(SEED_FACTS.read_text(encoding="utf-8"))


def seed_names(entity: dict) -> set[str]:
    """Every name a seed entity goes by, folded.

    Seed names pack variants: 'Danzig / Gdańsk', 'Auswärtiges Amt (AA)', 'Projekt „Trans City“'.
    """
    if entity["id"] in BUNDLE_NAMES:
        return {fold(BUNDLE_NAMES[entity["id"]])}
    names = set()
    for text in (entity["name"], entity.get("name_en") or ""):
        for variant in text.split(" / "):
            names.add(variant)
            names.add(re.sub(r"\s*\([^)]*\)", "", variant))
            names.update(re.findall(r"„([^“]*)“", variant))
            # An abbreviation in brackets, such as (SKEW): not a place name like (Duisburg).
            names.update(
                inner
                for inner in re.findall(r"\(([^)]*)\)", variant)
                if sum(c.isupper() for c in inner) >= 2
            )
    return {fold(name.strip(" „“")) for name in names if name.strip(" „“")}


def node_index(bundled: BundledGraph) -> dict[str, set[str]]:
    """Folded label or alternate name → the nodes that carry it."""
    rows = select(
        bundled,
        "SELECT DISTINCT ?node ?name WHERE { ?node rdfs:label|schema:alternateName ?name }",
    )
    index: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        index[fold(row["name"])].add(row["node"])
    return index


def seed_nodes(index: dict[str, set[str]], entity: dict) -> set[str]:
    """The graph nodes that carry any name of a seed entity."""
    return set().union(*(index.get(name, set()) for name in seed_names(entity)))


def pairs(bundled: BundledGraph, sparql: str) -> set[tuple[str, ...]]:
    return {tuple(row.values()) for row in select(bundled, sparql)}


def relations_in_graph(bundled: BundledGraph) -> dict[str, set[tuple[str, ...]]]:
    """The relations of the checked kinds as (subject, object[, kind]) node tuples."""
    twinnings = pairs(
        bundled,
        """SELECT DISTINCT ?a ?b ?kind WHERE {
             ?t a cd:Twinning ; cd:partner ?a, ?b ; cd:kind ?k FILTER(?a != ?b)
             BIND(STRAFTER(STR(?k), "kind/") AS ?kind) }""",
    )
    funding = pairs(
        bundled,
        """SELECT DISTINCT ?funded ?funder WHERE {
             ?f a cd:Funding ; cd:from|cd:programme ?funded ; cd:to|cd:programme ?funder
             FILTER(?funded != ?funder) }""",
    )
    return {
        "twinning": twinnings,
        "member_of": pairs(
            bundled,
            """SELECT DISTINCT ?member ?org WHERE {
                 ?m a cd:Membership ; org:member ?member ; org:organization ?org }""",
        ),
        "funded_by": funding,
        "owns_stake_in": pairs(
            bundled,
            "SELECT DISTINCT ?o ?a WHERE { ?s a cd:Stake ; cd:owner ?o ; cd:asset ?a }",
        ),
        "invests_in": pairs(
            bundled,
            "SELECT DISTINCT ?i ?t WHERE { ?s a cd:Investment ; cd:investor ?i ; cd:investee ?t }",
        ),
    }


def is_in_graph(
    relation: dict,
    subjects: set[str],
    objects: set[str],
    graph: dict[str, set[tuple[str, ...]]],
) -> bool:
    predicate = relation["predicate"]
    if predicate in TWINNING_KINDS:
        return any(
            (a, b, kind) in graph["twinning"]
            for a in subjects
            for b in objects
            for kind in TWINNING_KINDS[predicate]
        )
    return any((s, o) in graph[predicate] for s in subjects for o in objects)


@dataclass(frozen=True)
class Exclusion:
    subject: str
    predicate: str
    object: str
    document: str
    reason: str


def exclusions() -> list[Exclusion]:
    """The table 'Seed relations left out' of EXCLUSIONS.md."""
    text = (DEMO / "EXCLUSIONS.md").read_text(encoding="utf-8")
    section = text.split("## Seed relations left out", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("seed #", "---"):
            continue
        rows.append(Exclusion(*cells[1:6]))
    return rows


def key(relation: dict) -> tuple[str, str, str, str]:
    return (relation["subject"], relation["predicate"], relation["object"], relation["source"])


def document_citations() -> dict[str, str]:
    """Seed file name → citation, from the table of data/demo/SOURCES.md."""
    text = (DEMO / "SOURCES.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `(\d{3}_[0-9a-f]{16}\.txt)` \| (.+?) \|$", text, re.MULTILINE))


def checked_relations(facts: dict) -> Iterable[dict]:
    return (r for r in facts["relations"] if r["predicate"] in CHECKED_PREDICATES)


# --- the promise: every fact is in the graph or excluded with a reason ----------------------


def test_every_seed_relation_is_in_the_graph_or_excluded_with_a_reason(
    bundled: BundledGraph,
) -> None:
    facts = seed_facts()
    entities = {entity["id"]: entity for entity in facts["entities"]}
    index = node_index(bundled)
    graph = relations_in_graph(bundled)
    excluded = {(e.subject, e.predicate, e.object, e.document) for e in exclusions()}
    missing = []
    for relation in checked_relations(facts):
        if key(relation) in excluded:
            continue
        subjects = seed_nodes(index, entities[relation["subject"]])
        objects = seed_nodes(index, entities[relation["object"]])
        if not is_in_graph(relation, subjects, objects, graph):
            missing.append(
                f"{relation['subject']} {relation['predicate']} {relation['object']} "
                f"({relation['source']}; subject nodes {len(subjects)}, object nodes "
                f"{len(objects)}): {relation['evidence']}"
            )
    assert not missing, (
        f"{len(missing)} seed relation(s) neither in the bundled graph nor in "
        "data/demo/EXCLUSIONS.md:\n" + "\n".join(missing)
    )


def test_every_exclusion_names_a_seed_relation_that_is_really_left_out(
    bundled: BundledGraph,
) -> None:
    facts = seed_facts()
    entities = {entity["id"]: entity for entity in facts["entities"]}
    relations = {key(r): r for r in checked_relations(facts)}
    index = node_index(bundled)
    graph = relations_in_graph(bundled)
    for exclusion in exclusions():
        relation = relations.get(
            (exclusion.subject, exclusion.predicate, exclusion.object, exclusion.document)
        )
        assert relation is not None, f"EXCLUSIONS.md names no seed relation: {exclusion}"
        assert len(exclusion.reason) > 20, f"no reason given: {exclusion}"
        subjects = seed_nodes(index, entities[exclusion.subject])
        objects = seed_nodes(index, entities[exclusion.object])
        assert not is_in_graph(relation, subjects, objects, graph), (
            f"EXCLUSIONS.md lists a relation the graph holds: {exclusion}"
        )


def test_every_relation_cites_its_documents_not_a_file_name(bundled: BundledGraph) -> None:
    citations = set(document_citations().values())
    assert len(citations) == 5
    rows = select(
        bundled,
        """SELECT DISTINCT ?relation ?citation WHERE {
             VALUES ?class { cd:Twinning cd:Membership cd:Contact cd:Stake cd:Investment
                             cd:Cooperation cd:Control }
             ?relation a ?class .
             OPTIONAL { ?relation prov:wasDerivedFrom/cd:citation ?citation } }""",
    )
    assert len({row["relation"] for row in rows}) == sum(
        sum(summary.relations.values()) for summary in bundled.summaries.values()
    )
    for row in rows:
        assert row["citation"], f"{row['relation']} has no citation"
        assert not SEED_FILE_NAME.search(row["citation"]), row["citation"]
        assert set(row["citation"].split("; ")) <= citations, row["citation"]


# --- resolution: one node per place, every body from the registry ---------------------------


def test_no_place_is_left_ambiguous_or_unresolved(bundled: BundledGraph) -> None:
    unclear = [
        row
        for report in bundled.reports.glob("citydiplo-review-*.csv")
        for row in csv.DictReader(report.open(encoding="utf-8"))
        if row["outcome"] in UNCLEAR_PLACES
    ]
    assert not unclear, unclear


def test_every_place_is_one_node(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?place ?name ?iso2 WHERE {
             ?place a cd:City ; rdfs:label ?name ; cd:country/cd:iso2 ?iso2 }""",
    )
    nodes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        nodes[(fold(row["name"]), row["iso2"])].add(row["place"])
    assert {name: found for name, found in nodes.items() if len(found) > 1} == {}


def test_every_body_the_files_name_is_in_the_registry(bundled: BundledGraph) -> None:
    created = {name: summary.created for name, summary in bundled.summaries.items()}
    assert all(not found for found in created.values()), created


# --- spot checks of the facts the issue names -----------------------------------------------

TWINNING = """SELECT DISTINCT ?a_name ?b_name ?kind ?since ?status WHERE {
  ?t a cd:Twinning ; cd:partner ?a, ?b ; cd:kind ?k ; cd:status ?s .
  ?a rdfs:label ?a_name . ?b rdfs:label ?b_name .
  OPTIONAL { ?t cd:since ?since }
  BIND(STRAFTER(STR(?k), "kind/") AS ?kind) BIND(STRAFTER(STR(?s), "status/") AS ?status) }"""


def twinnings(bundled: BundledGraph, a: str, b: str) -> list[tuple]:
    rows = select(bundled, TWINNING, a_name=a, b_name=b)
    return sorted((row["kind"], row["since"], row["status"]) for row in rows)


def test_dortmund_and_buffalo_are_twinned_since_1978(bundled: BundledGraph) -> None:
    assert twinnings(bundled, "Dortmund", "Buffalo") == [("partnership", "1978", "active")]


def test_the_twinning_of_gladbeck_and_fushun_is_dormant(bundled: BundledGraph) -> None:
    assert twinnings(bundled, "Gladbeck", "Fushun") == [("partnership", None, "dormant")]


def test_dortmund_and_pittsburgh_have_an_innovation_partnership_of_2021(
    bundled: BundledGraph,
) -> None:
    assert twinnings(bundled, "Dortmund", "Pittsburgh") == [("innovation", "2021", "active")]


def test_dortmund_has_the_twin_cities_the_documents_name(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?name WHERE {
             ?t a cd:Twinning ; cd:kind kind:partnership ; cd:partner ?d, ?p .
             ?d rdfs:label "Dortmund" . ?p rdfs:label ?name FILTER(?p != ?d) }""",
    )
    assert {row["name"] for row in rows} == {
        "Amiens",
        "Netanya",
        "Zwickau",
        "Buffalo",
        "Rostov-on-Don",
        "Xi'an",
    }


def test_north_rhine_westphalia_has_three_partner_provinces(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?name WHERE {
             ?t a cd:Twinning ; cd:kind kind:partner-province ; cd:partner ?nrw, ?p .
             ?nrw rdfs:label "Nordrhein-Westfalen" . ?p rdfs:label ?name FILTER(?p != ?nrw) }""",
    )
    assert {row["name"] for row in rows} == {"Shanxi", "Jiangsu", "Sichuan"}


def test_22_german_cities_are_members_of_eurocities(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT (COUNT(DISTINCT ?city) AS ?n) WHERE {
             ?m a cd:Membership ; org:member ?city ; org:organization ?network .
             ?network rdfs:label "Eurocities" . ?city a cd:City ; cd:country/cd:iso2 "DE" }""",
    )
    assert int(rows[0]["n"]) == 22


def test_hannover_is_in_mayors_for_peace_since_1983(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?since ?role WHERE {
             ?m a cd:Membership ; org:member ?city ; org:organization ?network ; cd:since ?since .
             ?city rdfs:label "Hannover" . ?network rdfs:label "Mayors for Peace" .
             OPTIONAL { ?m cd:role ?role } }""",
    )
    assert [row["since"] for row in rows] == ["1983"]
    assert "Vice-President" in rows[0]["role"]


def test_dortmund_is_in_the_four_networks_its_mayor_names(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?network WHERE {
             ?m a cd:Membership ; org:member ?city ; org:organization/rdfs:label ?network .
             ?city rdfs:label "Dortmund" }""",
    )
    assert {row["network"] for row in rows} == {
        "Eurocities",
        "Mayors for Peace",
        "Council of European Municipalities and Regions",
        "European Cities for Fair and Ethical Trade",
    }


def test_cosco_holds_30_percent_of_a_critical_port_terminal_in_duisburg(
    bundled: BundledGraph,
) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?share ?city ?critical WHERE {
             ?s a cd:Stake ; cd:owner/rdfs:label "COSCO" ; cd:asset ?asset ; cd:share ?share .
             ?asset rdfs:label "Duisburg Gateway Terminal" ; cd:critical ?critical ;
                    cd:locatedIn/rdfs:label ?city }""",
    )
    assert [(float(r["share"]), r["city"], r["critical"]) for r in rows] == [
        (30.0, "Duisburg", "port")
    ]


def test_cosco_is_controlled_by_china(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?iso2 WHERE {
             ?c a cd:Control ; cd:controlled/rdfs:label "COSCO" ; cd:controller/cd:iso2 ?iso2 }""",
    )
    assert [row["iso2"] for row in rows] == ["CN"]


def test_huawei_smart_city_cooperations_and_their_status(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?city ?domain ?status WHERE {
             ?c a cd:Cooperation ; cd:participant/rdfs:label ?city ;
                cd:vendor/rdfs:label "Huawei" ; cd:domain ?domain ; cd:status ?s .
             BIND(STRAFTER(STR(?s), "status/") AS ?status) }""",
    )
    assert sorted(tuple(row.values()) for row in rows) == [
        ("Duisburg", "smart city", "on-hold"),
        ("Gelsenkirchen", "smart city", "active"),
    ]


def test_the_urban_diplomacy_exchange_funded_dortmunds_trip_of_2024(
    bundled: BundledGraph,
) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?body ?since ?parent WHERE {
             ?f a cd:Funding ; cd:from/rdfs:label "Dortmund" ; cd:to/rdfs:label ?body ;
                cd:programme ?programme ; cd:since ?since .
             ?programme rdfs:label "Urban Diplomacy Exchange" ;
                        org:subOrganizationOf/rdfs:label ?parent }""",
    )
    assert [tuple(row.values()) for row in rows] == [("Auswärtiges Amt", "2024", "Auswärtiges Amt")]


def test_the_federal_coordination_formats_are_contacts(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?kind ?from ?to WHERE {
             ?c a cd:Contact ; cd:contactKind ?k ; cd:from/rdfs:label ?from ;
                cd:to/rdfs:label ?to .
             BIND(STRAFTER(STR(?k), "contact-kind/") AS ?kind)
             FILTER(?kind IN ("contact-point", "coordination-round", "representation")) }""",
    )
    assert {tuple(row.values()) for row in rows} == {
        ("contact-point", "Deutscher Städtetag", "Kontaktstelle für Kommunen"),
        ("coordination-round", "Deutscher Städtetag", "Auswärtiges Amt"),
        ("coordination-round", "Deutscher Städte- und Gemeindebund", "Auswärtiges Amt"),
        (
            "coordination-round",
            "Servicestelle Kommunen in der Einen Welt",
            "Bundesministerium für wirtschaftliche Zusammenarbeit und Entwicklung",
        ),
        (
            "representation",
            "Deutscher Städtetag",
            "Council of European Municipalities and Regions",
        ),
        ("representation", "Deutscher Städtetag", "United Cities and Local Governments"),
    }


def test_programmes_and_units_belong_to_their_bodies(bundled: BundledGraph) -> None:
    rows = select(
        bundled,
        """SELECT DISTINCT ?unit ?parent WHERE {
             ?u org:subOrganizationOf ?p . ?u rdfs:label ?unit . ?p rdfs:label ?parent }""",
    )
    found = {tuple(row.values()) for row in rows}
    assert {
        ("Servicestelle Kommunen in der Einen Welt", "Engagement Global"),
        ("Kontaktstelle für Kommunen", "Auswärtiges Amt"),
        ("Duisburg Gateway Terminal", "Duisburger Hafen"),
    } <= found
