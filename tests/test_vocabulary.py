"""Properties of the vocabulary every other module relies on: stable, symmetric IRIs and dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citydiplo.graph import vocab
from citydiplo.graph.records import PartialDate

names = st.text(min_size=1, max_size=40)
qids = st.integers(min_value=1, max_value=10**9).map(lambda n: f"Q{n}")


@given(qids, qids, st.sampled_from(vocab.TWINNING_KINDS))
def test_a_twinning_has_one_iri_whichever_side_is_named_first(a, b, kind) -> None:
    city_a = vocab.entity_iri("City", qid=a)
    city_b = vocab.entity_iri("City", qid=b)
    assert vocab.twinning_iri(city_a, city_b, kind) == vocab.twinning_iri(city_b, city_a, kind)


@given(qids, qids)
def test_different_kinds_between_the_same_cities_are_different_twinnings(a, b) -> None:
    city_a, city_b = vocab.entity_iri("City", qid=a), vocab.entity_iri("City", qid=b)
    iris = {vocab.twinning_iri(city_a, city_b, kind) for kind in vocab.TWINNING_KINDS}
    assert len(iris) == len(vocab.TWINNING_KINDS)


@given(names, st.sampled_from(["DE", "FR", None]))
def test_name_based_iris_are_stable_and_safe(name, country) -> None:
    first = vocab.entity_iri("City", name=name, country=country)
    assert first == vocab.entity_iri("City", name=name, country=country)
    path = first.value.removeprefix(vocab.ID)
    assert all(c.isascii() and (c.isalnum() or c in "-/") for c in path)


def test_entity_iris_prefer_qid_then_geonames_then_name() -> None:
    assert vocab.entity_iri("City", qid="Q1295", geonames_id=2935517, name="Dortmund").value == (
        "https://citydiplo.org/id/city/Q1295"
    )
    assert vocab.entity_iri("City", geonames_id=2935517, name="Dortmund").value == (
        "https://citydiplo.org/id/city/gn2935517"
    )
    assert vocab.entity_iri("City", name="Köln", country="DE").value == (
        "https://citydiplo.org/id/city/de/koln"
    )


@given(st.dates(min_value=date(800, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_at_every_precision(day: date) -> None:
    for text in (f"{day.year:04d}", f"{day.year:04d}-{day.month:02d}", day.isoformat()):
        assert PartialDate.parse(text).iso() == text


def test_wikidata_time_values_are_read() -> None:
    assert PartialDate.parse("+1995-02-18T00:00:00Z") == PartialDate(1995, 2, 18)
    assert PartialDate.parse("1978-00-00") == PartialDate(1978)


@pytest.mark.parametrize("text", ["1978-02-30", "19780", "spring 1978", "1978-13"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Partnerschaft", "partnership"),
        ("Städtepartnerschaft", "partnership"),
        ("sister city", "partnership"),
        ("Freundschaft", "friendship"),
        ("KONTAKT", "contact"),
        ("Projektpartnerschaft", "project"),
        ("project_partner", "project"),
        ("Klimapartnerschaft", "climate"),
        ("innovation partnership", "innovation"),
        ("Partnerprovinz", "partner-province"),
    ],
)
def test_kinds_are_named_in_german_or_english(text: str, key: str) -> None:
    kind = vocab.twinning_kind(text)
    assert kind is not None and kind.key == key


def test_qids_are_read_from_wikidata_and_citydiplo_iris() -> None:
    assert vocab.qid_from_iri("http://www.wikidata.org/entity/Q64") == "Q64"
    assert vocab.qid_from_iri("https://citydiplo.org/id/city/Q1295") == "Q1295"
    assert vocab.qid_from_iri("https://citydiplo.org/id/city/gn2935517") is None
