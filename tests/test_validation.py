"""What a valid graph is (graph/shapes.ttl) and `citydiplo validate`.

The promise: the graph built from every bundled and shared data set conforms, and a graph
broken on purpose (quads written straight into a source's graph, past the ingesters) is
reported in plain words, naming the node, its parties and what it has instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH

from citydiplo.graph import vocab
from citydiplo.graph.store import open_store
from citydiplo.ingest.bundled import ingest_bundled_dataset
from citydiplo.ingest.memberships import ingest_memberships
from citydiplo.ingest.partnerships import ingest_partnerships
from citydiplo.queries.validation import (
    COLUMNS,
    ValidationReport,
    in_plain_words,
    summary,
    validate,
    validate_graph,
)

from conftest import CLIMACTOR, ROOT, TWIN_CITIES_2026, WIKIDATA_2016

WEIMAR = WIKIDATA_2016 / "weimar-entity.json"
SHAPES = ROOT / "graph" / "shapes.ttl"
CDSH = rdflib.Namespace("https://citydiplo.org/shapes#")
CD = rdflib.Namespace(vocab.NS)

PARTNERSHIPS = """city_a,country_a,city_b,country_b,kind,since,until,status,source
Dortmund,DE,Buffalo,US,Partnerschaft,1978,,active,IP 2025
Dortmund,DE,Amiens,FR,Partnerschaft,,,,IP 2025
"""
MEMBERSHIPS = """network,city,country,role,since,until,source
Eurocities,Dortmund,DE,member,2020,,Deutscher Städtetag 2021
"""


def validated(store_dir: Path) -> ValidationReport:
    with open_store(store_dir) as store:
        return validate(store)


def messages(report: ValidationReport, severity: str = "violation") -> list[str]:
    return [v["message"] for v in report.violations if v["severity"] == severity]


# --- a small valid graph, then broken on purpose ---------------------------------------------
@pytest.fixture
def ruhr(tmp_path: Path) -> Path:
    """Two twinnings and a membership, ingested the ordinary way: a valid graph."""
    store_dir = tmp_path / "store"
    (tmp_path / "twins.csv").write_text(PARTNERSHIPS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERSHIPS, encoding="utf-8")
    ingest_partnerships(tmp_path / "twins.csv", store=store_dir, report_dir=tmp_path)
    ingest_memberships(tmp_path / "members.csv", store=store_dir, report_dir=tmp_path)
    return store_dir


def node(store_dir: Path, sparql: str) -> ox.NamedNode:
    """The one node a query finds (its single variable)."""
    with open_store(store_dir) as store:
        rows = store.select(sparql)
    assert len(rows) == 1, rows
    return ox.NamedNode(next(iter(rows[0].values())))


def city(store_dir: Path, name: str) -> ox.NamedNode:
    return node(store_dir, f'SELECT DISTINCT ?c WHERE {{ ?c a cd:City ; rdfs:label "{name}" }}')


def twinning_with(store_dir: Path, partner: str) -> ox.NamedNode:
    return node(
        store_dir,
        f"""SELECT DISTINCT ?t WHERE {{ ?t a cd:Twinning ; cd:partner ?p .
                                        ?p rdfs:label "{partner}" }}""",
    )


def a_source_record(store_dir: Path) -> ox.NamedNode:
    return node(store_dir, "SELECT ?r WHERE { ?r a cd:SourceRecord } ORDER BY ?r LIMIT 1")


def break_graph(store_dir: Path, *triples: tuple) -> None:
    """Write triples into the graph of the first source, as a buggy ingester would."""
    with open_store(store_dir, writable=True) as store:
        graph = ox.NamedNode(store.source_versions()[0].graph)
        store.add_atomically(ox.Quad(s, p, o, graph) for s, p, o in triples)


def gyear(year: str) -> ox.Literal:
    return ox.Literal(year, datatype=vocab.XSD_GYEAR)


def partial_date(text: str) -> ox.Literal:
    datatype = {4: vocab.XSD_GYEAR, 7: vocab.XSD_GYEARMONTH, 10: vocab.XSD_DATE}[len(text)]
    return ox.Literal(text, datatype=datatype)


def test_a_graph_the_ingesters_wrote_conforms(ruhr: Path) -> None:
    report = validated(ruhr)

    assert report.conforms
    assert report.violations == []
    assert report.statements > 0


def test_a_twinning_with_three_partners_is_reported(ruhr: Path) -> None:
    twinning = twinning_with(ruhr, "Buffalo")
    break_graph(ruhr, (twinning, vocab.PARTNER, city(ruhr, "Amiens")))

    report = validated(ruhr)

    assert not report.conforms
    [violation] = report.violations
    assert tuple(violation) == COLUMNS
    assert violation["focus"] == twinning.value
    assert violation["path"] == "cd:partner"
    assert violation["shape"] == "cdsh:TwinningPartners"
    assert violation["message"] == (
        "a twinning has exactly two partners, both cities or regions (cd:City); it has 3"
    )
    assert sorted(violation["focus_label"].split(" – ")) == ["Amiens", "Buffalo", "Dortmund"]
    sentence = in_plain_words(violation)
    assert sentence.startswith(f"Twinning …/twinning/{twinning.value.rsplit('/', 1)[1]} (")
    assert sentence.endswith(
        "): a twinning has exactly two partners, both cities or regions (cd:City); it has 3."
    )


def test_a_twinning_with_a_partner_that_is_no_city_is_reported(ruhr: Path) -> None:
    network = node(ruhr, "SELECT DISTINCT ?n WHERE { ?n a cd:CityNetwork }")
    twinning = twinning_with(ruhr, "Amiens")
    break_graph(ruhr, (twinning, vocab.PARTNER, network))

    report = validated(ruhr)

    rule = "a twinning has exactly two partners, both cities or regions (cd:City)"
    assert sorted(messages(report)) == [f"{rule}; Eurocities is not", f"{rule}; it has 3"]


def test_a_stake_of_130_percent_is_reported(ruhr: Path) -> None:
    stake = ox.NamedNode(vocab.ID + "stake/harbour")
    harbour = ox.NamedNode(vocab.ID + "asset/de/harbour")
    break_graph(
        ruhr,
        (harbour, vocab.TYPE, vocab.CLASS["Asset"]),
        (harbour, vocab.LABEL, ox.Literal("Dortmund Harbour")),
        (stake, vocab.TYPE, vocab.CLASS["Stake"]),
        (stake, vocab.TIE_KIND, ox.NamedNode(vocab.TIE_KIND_SCHEME + "stake")),
        (stake, vocab.OWNER, city(ruhr, "Dortmund")),
        (stake, vocab.ASSET, harbour),
        (stake, vocab.STATUS, vocab.status_iri("active")),
        (stake, vocab.SHARE, ox.Literal("130", datatype=vocab.XSD_DECIMAL)),
        (stake, vocab.WAS_DERIVED_FROM, a_source_record(ruhr)),
    )

    report = validated(ruhr)

    [violation] = report.violations
    assert violation["value"] == "130"
    assert in_plain_words(violation) == (
        "Ownership stake …/stake/harbour (Dortmund – Dortmund Harbour): "
        "a share is a percentage between 0 and 100; 130 is not."
    )


def test_a_relation_that_ends_before_it_starts_is_reported(ruhr: Path) -> None:
    membership = node(ruhr, "SELECT DISTINCT ?m WHERE { ?m a cd:Membership }")
    break_graph(ruhr, (membership, vocab.UNTIL, gyear("2010")))

    report = validated(ruhr)

    [violation] = report.violations
    assert violation["focus_label"] == "Dortmund – Eurocities"
    assert violation["path"] == "cd:until"
    assert violation["message"] == (
        "a relation cannot end before it starts; it runs from 2020 to 2010"
    )


@pytest.mark.parametrize(
    ("since", "until", "valid"),
    [
        ("2010-05", "2010", True),
        ("2010", "2010-01-01", True),
        ("2010-05-03", "2010-05", True),
        ("2010-05-03", "2010-05-03", True),
        ("2011", "2010-12-31", False),
        ("2010-05-03", "2010-05-02", False),
        ("2010-06", "2010-05-31", False),
    ],
)
def test_years_months_and_dates_compare_at_the_coarser_precision(
    ruhr: Path, since: str, until: str, valid: bool
) -> None:
    twinning = twinning_with(ruhr, "Amiens")
    break_graph(
        ruhr,
        (twinning, vocab.SINCE, partial_date(since)),
        (twinning, vocab.UNTIL, partial_date(until)),
    )

    report = validated(ruhr)

    assert report.conforms is valid
    if not valid:
        assert messages(report) == [
            f"a relation cannot end before it starts; it runs from {since} to {until}"
        ]


def test_a_membership_without_organisation_is_reported(ruhr: Path) -> None:
    membership = ox.NamedNode(vocab.ID + "membership/orphan")
    break_graph(
        ruhr,
        (membership, vocab.TYPE, vocab.CLASS["Membership"]),
        (membership, vocab.TYPE, vocab.ORG_MEMBERSHIP),
        (membership, vocab.ORG_MEMBER, city(ruhr, "Dortmund")),
        (membership, vocab.STATUS, vocab.status_iri("active")),
        (membership, vocab.WAS_DERIVED_FROM, a_source_record(ruhr)),
    )

    report = validated(ruhr)

    [violation] = report.violations
    assert in_plain_words(violation) == (
        "Membership …/membership/orphan (Dortmund): a membership has exactly one "
        "organisation, such as a city network (org:organization); it has none."
    )


def test_a_relation_without_provenance_is_reported(ruhr: Path) -> None:
    twinning = ox.NamedNode(vocab.ID + "twinning/unsourced")
    break_graph(
        ruhr,
        (twinning, vocab.TYPE, vocab.CLASS["Twinning"]),
        (twinning, vocab.KIND, vocab.kind_by_key("friendship").iri),
        (twinning, vocab.STATUS, vocab.status_iri("active")),
        (twinning, vocab.PARTNER, city(ruhr, "Buffalo")),
        (twinning, vocab.PARTNER, city(ruhr, "Amiens")),
    )

    report = validated(ruhr)

    [violation] = report.violations
    assert violation["shape"] == "cdsh:RelationProvenance"
    assert violation["message"] == (
        "a relation says which row of which source it was read from "
        "(prov:wasDerivedFrom a cd:SourceRecord); it has none"
    )


def test_a_kind_outside_the_scheme_is_reported(ruhr: Path) -> None:
    twinning = ox.NamedNode(vocab.ID + "twinning/sister")
    break_graph(
        ruhr,
        (twinning, vocab.TYPE, vocab.CLASS["Twinning"]),
        (twinning, vocab.KIND, ox.NamedNode(vocab.KIND_SCHEME + "sister-city")),
        (twinning, vocab.STATUS, vocab.status_iri("asleep")),
        (twinning, vocab.PARTNER, city(ruhr, "Buffalo")),
        (twinning, vocab.PARTNER, city(ruhr, "Amiens")),
        (twinning, vocab.WAS_DERIVED_FROM, a_source_record(ruhr)),
    )

    report = validated(ruhr)

    assert sorted(messages(report)) == [
        "a twinning has a kind from the kinds of city partnership (kind:scheme); "
        "it has kind:sister-city",
        "a twinning has a status: active, dormant, on hold or ended; it has status:asleep",
    ]


def test_bad_values_of_entities_and_sources_are_reported(ruhr: Path) -> None:
    dortmund = city(ruhr, "Dortmund")
    with open_store(ruhr) as store:
        source = ox.NamedNode(store.source_versions()[0].iri)
    break_graph(
        ruhr,
        (dortmund, vocab.LAT, ox.Literal("95.0", datatype=vocab.XSD_DECIMAL)),
        (dortmund, vocab.QID, ox.Literal("1295")),
        (vocab.country_iri("de"), vocab.ISO2, ox.Literal("deu")),
        (source, vocab.SHA256, ox.Literal("not a checksum")),
    )

    report = validated(ruhr)

    assert sorted(messages(report)) == [
        "a Wikidata QID is Q followed by a number, like Q1295; 1295 is not",
        "a country has exactly one ISO 3166-1 alpha-2 code, two capital letters like DE "
        "(cd:iso2); deu is not",
        "a country has exactly one ISO 3166-1 alpha-2 code, two capital letters like DE "
        "(cd:iso2); it has 2",
        "a position has a latitude between -90 and 90 (geo:lat); 95 is not",
        "a source has exactly one SHA-256 checksum of 64 hexadecimal digits; if it has two, "
        "ingest the file again; it has 2",
        "a source has exactly one SHA-256 checksum of 64 hexadecimal digits; if it has two, "
        "ingest the file again; not a checksum is not",
    ]


def test_sources_that_disagree_are_warnings_and_the_graph_still_conforms(
    ruhr: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text(
        PARTNERSHIPS.splitlines()[0] + "\nDortmund,DE,Buffalo,US,Partnerschaft,1979,,dormant,X\n",
        encoding="utf-8",
    )
    ingest_partnerships(other, store=ruhr, report_dir=tmp_path)

    report = validated(ruhr)

    assert report.conforms
    assert sorted(messages(report, "warning")) == [
        "the sources disagree on the status of this relation; it has 2",
        "the sources disagree on when this relation started (cd:since); it has 2",
    ]
    assert summary(report).endswith("conforms to the shapes; 2 warnings.")
    assert all(in_plain_words(w).startswith("Warning: Twinning") for w in report.warnings)


def test_an_rdflib_graph_or_dataset_is_validated_like_the_store(ruhr: Path) -> None:
    break_graph(ruhr, (twinning_with(ruhr, "Buffalo"), vocab.PARTNER, city(ruhr, "Amiens")))
    graph = rdflib.Graph()
    with open_store(ruhr) as store:
        from_store = validate(store)
        for quad in store.quads():
            if quad.graph_name.value != vocab.ONTOLOGY_GRAPH:
                graph.add(tuple(rdflib.util.from_n3(str(term)) for term in quad.triple))

        from_dataset = validate_graph(store.rdflib_dataset())

    from_graph = validate_graph(graph)

    assert not from_graph.conforms
    assert from_graph.violations == from_store.violations
    assert from_dataset.violations == from_store.violations
    assert from_dataset.statements == from_store.statements


# --- the shapes themselves -------------------------------------------------------------------
@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


def local_names(shapes: rdflib.Graph, shape: rdflib.URIRef, target: rdflib.URIRef) -> set[str]:
    return {str(c).removeprefix(vocab.NS) for c in shapes.objects(shape, target)}


def test_every_relation_class_needs_provenance_and_every_entity_a_name(
    shapes: rdflib.Graph,
) -> None:
    assert local_names(shapes, CDSH.RelationProvenance, SH.targetClass) == set(
        vocab.RELATION_CLASSES
    )
    assert local_names(shapes, CDSH.EntityName, SH.targetClass) == set(vocab.ENTITY_CLASSES) - {
        "Country"
    }


def test_the_critical_sectors_are_those_of_the_vocabulary(shapes: rdflib.Graph) -> None:
    sectors = Collection(shapes, shapes.value(CDSH.CriticalSector, SH["in"]))
    assert [str(sector) for sector in sectors] == list(vocab.CRITICAL_SECTORS)


def test_every_shape_states_its_rule_in_plain_words(shapes: rdflib.Graph) -> None:
    for shape in shapes.subjects(rdflib.RDF.type, SH.PropertyShape):
        assert shapes.value(shape, SH.message), shape
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message), constraint


# --- every bundled and shared data set conforms ----------------------------------------------
def assert_conforms(report: ValidationReport) -> None:
    assert report.conforms, "\n".join(in_plain_words(v) for v in report.errors[:20])


def test_the_bundled_dataset_conforms(store_dir: Path, tmp_path: Path) -> None:
    ingest_bundled_dataset(store_dir, report_dir=tmp_path)

    report = validated(store_dir)

    assert_conforms(report)
    assert report.warnings == []


def test_the_weimar_entity_conforms_with_partners_known_only_by_qid(
    store_dir: Path, tmp_path: Path
) -> None:
    ingest_partnerships(WEIMAR, store=store_dir, report_dir=tmp_path)

    assert_conforms(validated(store_dir))


@pytest.mark.slow
def test_the_2026_twin_network_conforms(store_dir: Path, tmp_path: Path) -> None:
    ingest_partnerships(TWIN_CITIES_2026, store=store_dir, report_dir=tmp_path)

    report = validated(store_dir)

    assert_conforms(report)
    assert report.violations == []


@pytest.mark.slow
def test_the_2016_wikidata_snapshot_conforms(store_dir: Path, tmp_path: Path) -> None:
    ingest_partnerships(WIKIDATA_2016, store=store_dir, report_dir=tmp_path)

    report = validated(store_dir)

    assert_conforms(report)
    assert report.violations == []
    assert report.statements > 400_000


@pytest.mark.slow
def test_the_climactor_memberships_conform(store_dir: Path, tmp_path: Path) -> None:
    ingest_memberships(CLIMACTOR, store=store_dir, report_dir=tmp_path)

    report = validated(store_dir)

    assert_conforms(report)
    assert report.violations == []


@pytest.mark.slow
def test_the_bundled_dataset_with_the_wikidata_twinnings_conforms(
    store_dir: Path, tmp_path: Path
) -> None:
    """Sources meet in shared nodes; where they disagree (Gladbeck–Fushun is dormant in the
    documents, active in Wikidata) the report warns and the graph still conforms."""
    ingest_bundled_dataset(store_dir, report_dir=tmp_path)
    ingest_partnerships(WIKIDATA_2016, store=store_dir, report_dir=tmp_path)
    ingest_partnerships(WEIMAR, store=store_dir, report_dir=tmp_path)

    report = validated(store_dir)

    assert_conforms(report)
    assert all("the sources disagree" in message for message in messages(report, "warning"))


# --- the command -------------------------------------------------------------------------------
def test_validate_exits_0_on_a_valid_graph(ruhr: Path, cli) -> None:
    result = cli("validate", "--store", ruhr)

    assert result.returncode == 0, result.stderr
    assert "conforms to the shapes" in result.stdout


def test_validate_exits_1_and_says_what_is_wrong(ruhr: Path, cli) -> None:
    break_graph(ruhr, (twinning_with(ruhr, "Buffalo"), vocab.PARTNER, city(ruhr, "Amiens")))

    table = cli("validate", "--store", ruhr)
    as_json = cli("validate", "--store", ruhr, "--format", "json")

    assert table.returncode == 1
    assert "a twinning has exactly two partners, both cities or regions (cd:City); it has 3." in (
        table.stdout
    )
    assert "does not conform: 1 violation." in table.stdout
    assert as_json.returncode == 1
    [violation] = json.loads(as_json.stdout)
    assert violation["path"] == "cd:partner"
    assert set(violation) >= {"focus", "focus_label", "path", "value", "message", "severity"}
