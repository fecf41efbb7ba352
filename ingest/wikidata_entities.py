"""Raw Wikidata entity JSON, as the wbgetentities API returns it (the 2016 crawl's weimar.json).

    {"entities": {"Q3955": {"id": "Q3955", "labels": {"de": {"value": "Weimar"}, …}, "claims": {
      "P190": [{"mainsnak": {"datavalue": {"value": {"id": "Q160927"}}}, "rank": "normal",
        "qualifiers": {"P580": [{… {"time": "+1995-02-18T00:00:00Z", "precision": 11}}]}}]}}}}

Every entity is a place: its label (the first of de, en, fr, it, es, the order names.tsv of
the same crawl uses), country (P17), coordinates (P625) and population (P1082, the latest by
P585 point in time). Every P190 claim is a twinning with its partner, from P580 (start time)
to P582 (end time), each as precise as Wikidata states it (a date stated only to the decade
or century is left out). Deprecated claims and claims without a value (novalue, somevalue)
are skipped and counted in the notes.

Rows are the file's P190 claims in order (row 3 is the third P190 claim in the file). Errors
name the entity and the claim, at the line where the claim's id appears.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..graph.records import ParsedSource, PartialDate, Place, TwinningRecord
from ..graph.vocab import QID_PATTERN, kind_by_key
from .countries import resolve_country
from .text import check_no_mojibake, read_json, read_text, repaired
from .validate import RowGate, parse_date, time_at_precision, twinning_problem

FORMAT = "wikidata-entity-json"
LABEL_LANGUAGES = ("de", "en", "fr", "it", "es")
PARTNERSHIP = kind_by_key("partnership")
_LAT_LONG = ("latitude", "longitude")


def looks_like(path: Path) -> bool:
    if not path.is_file() or path.suffix.casefold() != ".json":
        return False
    with path.open("rb") as handle:
        return b'"entities"' in handle.read(1024)


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read every entity as a place and every P190 claim as a twinning.

    Returns the records and the file's checksum.
    """
    text_file = read_text(path, encoding)
    file, text = str(path), text_file.text
    document = read_json(file, text)
    entities = document.get("entities") if isinstance(document, dict) else None
    if not isinstance(entities, dict) or not entities:
        raise IngestError(
            file,
            "not Wikidata entity JSON: there is no 'entities' object with items in it",
            hint="save the answer of wbgetentities, e.g. "
            "https://www.wikidata.org/w/api.php?action=wbgetentities&ids=Q3955&format=json",
        )
    claims_of: list[tuple[str, str, dict[str, Any]]] = []
    places: dict[str, Place] = {}
    unknown_countries: set[str] = set()
    for key, entity in entities.items():
        qid, claims = _entity_claims(file, text, key, entity)
        claims_of.append((key, qid, claims))
        places[qid] = _place(file, text, key, qid, entity, claims, repair_mojibake)
        if places[qid].country is None:
            unknown_countries.update(_truthy_items(claims.get("P17", [])))

    parsed = ParsedSource(file, FORMAT, row_count=0)
    gate = RowGate(file, skip_invalid)
    skipped: Counter[str] = Counter()
    for key, qid, claims in claims_of:
        statements = claims.get("P190", [])
        if not isinstance(statements, list):
            raise IngestError(
                file, f"entity {qid}: claims.P190 is not a list", line=_entity_line(text, key)
            )
        for index, claim in enumerate(statements, start=1):
            parsed.row_count += 1
            where = f"entity {qid}, claim P190 #{index}"
            try:
                record = _twinning(qid, claim, parsed.row_count, places, skipped)
            except ValueError as error:
                _reject(gate, text, key, claim, f"{where}: {error}")
                continue
            if record is None:
                continue
            problem = twinning_problem(record)
            if problem:
                _reject(gate, text, key, claim, f"{where}: {problem}")
                continue
            parsed.twinnings.append(record)
    gate.require_some_valid(len(parsed.twinnings))
    parsed.places = list(places.values())
    parsed.rejections = gate.rejections
    parsed.notes.extend(_notes(parsed, skipped, unknown_countries))
    return parsed, text_file.sha256


def _entity_claims(file: str, text: str, key: str, entity: Any) -> tuple[str, dict[str, Any]]:
    """The entity's QID and claims, or IngestError saying why the entity is not usable."""
    if not isinstance(entity, dict):
        raise IngestError(file, f"entity {key} is not an object", line=_entity_line(text, key))
    if "missing" in entity:
        raise IngestError(
            file,
            f"entity {key} is missing: Wikidata has no such item (deleted or never created)",
            line=_entity_line(text, key),
        )
    # A redirected QID is answered under the asked-for key, with the target's id inside.
    qid = entity.get("id", key)
    if not isinstance(qid, str) or not QID_PATTERN.fullmatch(qid):
        raise IngestError(
            file, f"entity {key} is not a Wikidata item (Q…)", line=_entity_line(text, key)
        )
    claims = entity.get("claims")
    if not isinstance(claims, dict):
        raise IngestError(
            file,
            f"entity {qid} has no 'claims' object",
            line=_entity_line(text, key),
            hint="ask wbgetentities for props=labels|claims",
        )
    return qid, claims


def _place(
    file: str,
    text: str,
    key: str,
    qid: str,
    entity: dict[str, Any],
    claims: dict[str, Any],
    repair_mojibake: bool,
) -> Place:
    labels = entity.get("labels") if isinstance(entity.get("labels"), dict) else {}
    label = next(
        (
            labels[language]["value"]
            for language in LABEL_LANGUAGES
            if isinstance(labels.get(language), dict)
            and isinstance(labels[language].get("value"), str)
        ),
        None,
    )
    if label is not None and repaired(label) != label:
        if repair_mojibake:
            label = repaired(label)
        else:
            check_no_mojibake(file, _entity_line(text, key), f"labels of {qid}", label)
    country = next(
        (c for c in map(resolve_country, _truthy_items(claims.get("P17", []))) if c), None
    )
    try:
        latitude, longitude = _coordinates(claims.get("P625", []))
        population = _population(claims.get("P1082", []))
    except ValueError as problem:
        raise IngestError(file, f"entity {qid}: {problem}", line=_entity_line(text, key)) from None
    return Place(label, country.iso2 if country else None, qid, latitude, longitude, population)


def _value(snak: Any) -> Any:
    """A snak's datavalue value, or None for novalue/somevalue and what is not a snak."""
    if not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
        return None
    datavalue = snak.get("datavalue")
    return datavalue.get("value") if isinstance(datavalue, dict) else None


def _valued(statements: Any) -> list[dict[str, Any]]:
    """The statements that count: not deprecated, with a value."""
    if not isinstance(statements, list):
        return []
    return [
        s
        for s in statements
        if isinstance(s, dict)
        and s.get("rank") != "deprecated"
        and _value(s.get("mainsnak")) is not None
    ]


def _truthy(statements: Any) -> list[Any]:
    """The values Wikidata's own wdt: triples give: the preferred ones if any, else all."""
    valued = _valued(statements)
    preferred = [s for s in valued if s.get("rank") == "preferred"]
    return [_value(s["mainsnak"]) for s in preferred or valued]


def _truthy_items(statements: Any) -> list[str]:
    return [v["id"] for v in _truthy(statements) if isinstance(v, dict) and "id" in v]


def _coordinates(statements: Any) -> tuple[float | None, float | None]:
    for value in _truthy(statements):
        latitude, longitude = (value.get(k) if isinstance(value, dict) else None for k in _LAT_LONG)
        if not all(isinstance(v, int | float) for v in (latitude, longitude)):
            raise ValueError("claim P625 has no numeric latitude and longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"claim P625 ({latitude}, {longitude}) is not on Earth")
        return float(latitude), float(longitude)
    return None, None


def _population(statements: Any) -> int | None:
    """The population at the latest P585 point in time, else the first one stated."""
    counts = []
    for statement in _valued(statements):
        value = _value(statement["mainsnak"])
        try:
            amount = int(Decimal(str(value["amount"])))
        except (TypeError, KeyError, InvalidOperation):
            raise ValueError(f"claim P1082 {value!r} is not a quantity") from None
        when = _qualifier_time(statement, "P585", "point in time")
        counts.append((PartialDate.parse(when) if when else None, amount))
    dated = [(when.earliest(), amount) for when, amount in counts if when is not None]
    if dated:
        return max(dated)[1]
    return counts[0][1] if counts else None


def _qualifier_time(statement: dict[str, Any], prop: str, what: str) -> str | None:
    """The first time the statement's `prop` qualifier states, cut to its precision ('1995')."""
    qualifiers = statement.get("qualifiers")
    snaks = qualifiers.get(prop, []) if isinstance(qualifiers, dict) else []
    for value in filter(None, map(_value, snaks)):
        if not isinstance(value, dict) or not isinstance(value.get("time"), str):
            raise ValueError(f"qualifier {prop} ({what}) is not a time value")
        precision = value.get("precision")
        if not isinstance(precision, int):
            raise ValueError(f"qualifier {prop} ({what}) has no precision")
        return time_at_precision(value["time"], precision)
    return None


def _twinning_date(claim: dict[str, Any], prop: str, what: str) -> PartialDate | None:
    time = _qualifier_time(claim, prop, what)
    return parse_date(time, what) if time else None


def _twinning(
    qid: str, claim: Any, row: int, places: dict[str, Place], skipped: Counter[str]
) -> TwinningRecord | None:
    """The twinning one P190 claim states; None for a claim that is skipped on purpose."""
    if not isinstance(claim, dict) or not isinstance(claim.get("mainsnak"), dict):
        raise ValueError("the claim has no mainsnak")
    if claim.get("rank") == "deprecated":
        skipped["deprecated"] += 1
        return None
    snak = claim["mainsnak"]
    if snak.get("snaktype") in ("novalue", "somevalue"):
        skipped[snak["snaktype"]] += 1
        return None
    value = _value(snak)
    partner = value.get("id") if isinstance(value, dict) else None
    datatype = snak["datavalue"].get("type") if isinstance(snak.get("datavalue"), dict) else None
    if datatype != "wikibase-entityid" or not QID_PATTERN.fullmatch(str(partner)):
        raise ValueError("the value is not a Wikidata item (a wikibase-entityid with a Q id)")
    since = _twinning_date(claim, "P580", "since")
    until = _twinning_date(claim, "P582", "until")
    # A partner that is no entity of this file is known by its QID alone.
    partner_place = places.get(partner, Place(None, qid=partner))
    return TwinningRecord(places[qid], partner_place, PARTNERSHIP, row, since, until)


def _reject(gate: RowGate, text: str, key: str, claim: Any, reason: str) -> None:
    """Reject a claim at the line of its id, else at its entity's line (then the reason says so)."""
    claim_id = claim.get("id") if isinstance(claim, dict) else None
    offset = text.find(f'"{claim_id}"') if isinstance(claim_id, str) else -1
    if offset < 0:
        line, reason = _entity_line(text, key), f"{reason} (line of the entity: no claim id)"
    else:
        line = text.count("\n", 0, offset) + 1
    gate.reject(line, reason, json.dumps(claim, ensure_ascii=False))


def _entity_line(text: str, key: str) -> int:
    """The line of the entity's key: found when an error needs it, as it reads the whole text."""
    match = re.search(rf'"{re.escape(key)}"\s*:\s*\{{', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _notes(parsed: ParsedSource, skipped: Counter[str], unknown_countries: set[str]) -> list[str]:
    notes = [
        f"{parsed.row_count} P190 claims: {len(parsed.twinnings)} twinnings, "
        f"{skipped['deprecated']} deprecated and "
        f"{skipped['novalue'] + skipped['somevalue']} without a value (novalue/somevalue) skipped"
    ]
    partners = {t.partner_b.qid for t in parsed.twinnings} - {p.qid for p in parsed.places}
    if partners:
        notes.append(
            f"{len(partners)} partners are not entities of this file: known by QID only, "
            "without a label, until another source names them"
        )
    unlabelled = sum(1 for place in parsed.places if place.name is None)
    if unlabelled:
        notes.append(f"{unlabelled} entities have no label in {', '.join(LABEL_LANGUAGES)}")
    if unknown_countries:
        notes.append(
            "countries citydiplo does not know by QID, left out: "
            + ", ".join(sorted(unknown_countries))
        )
    return notes
