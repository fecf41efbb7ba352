"""Contacts of cities and associations with the federal level, from citydiplo's contacts CSV.

    kind,from,from_type,from_country,to,to_type,to_country,via,via_type,programme,amount,currency,since,until,description,source
    funding,Dortmund,,DE,Auswärtiges Amt,,DE,,,Urban Diplomacy Exchange,,,2024,,,IP 2025
    coordination round,Duisburg,,DE,SKEW,,DE,Deutscher Städtetag,,,,,,,,DGAP 2021
    representation,Deutscher Städtetag,Association,DE,CEMR,CityNetwork,BE,,,,,,,,,DST 2021

One row, one contact. `kind` in English or German (funding/Förderung, contact point,
coordination round, consultation, representation, delegation, visit). Empty types default
to City (`from`), FederalBody (`to`) and Association (`via`).

Every party has a country. `from_country` and `to_country` are required, also for bodies the
registry knows, so that a file says what it means on its own; a stated country that
contradicts the registry is an error. The intermediary takes the optional `via_country`,
else `from_country` (a city goes through an association of its own country); a programme
takes `to_country`, the country of the body that funds it. An inferred country yields to
the registry's (Erasmus+ is an EU programme whoever pays it out).

A row with `via` is a mediated contact (`party cd:reaches via`, `via cd:reaches body`); one
without is direct (`party cd:reaches body`). Funding needs neither a programme nor an amount
(a ministry funding a project is a fact without a figure); an amount needs a currency (ISO
4217, e.g. EUR) and the other way round. `source` is required: a contact with the state is a
claim an analyst must be able to check.

Reading the CSV itself (header, cells, parties, money, dates) is `relation_csv.py`, shared
with `ties.py`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..graph.records import ContactRecord, ParsedSource, Party
from ..graph.vocab import CONTACT_KINDS, contact_kind
from .actors import ACTOR_TYPES
from .pipeline import IngestSummary, Tracker, ingest_parsed, untracked
from .relation_csv import (
    PLACE_TYPES,
    Row,
    RowProblem,
    citation,
    interval,
    money,
    party,
    party_type,
    read_table,
    valid_records,
)

# --- the contacts CSV ---------------------------------------------------------------------

FORMAT = "contacts-csv"
REQUIRED = (
    "kind",
    "from",
    "from_type",
    "from_country",
    "to",
    "to_type",
    "to_country",
    "via",
    "via_type",
    "programme",
    "amount",
    "currency",
    "since",
    "until",
    "description",
    "source",
)
OPTIONAL = ("via_country",)
# Who may take part: a body is reached, an intermediary carries the contact; neither is a
# place (a trip to another city is a twinning-layer fact) nor a country nor an asset.
FROM_TYPES = PLACE_TYPES + tuple(t for t in ACTOR_TYPES if t not in ("Asset", "Country"))
BODY_TYPES = tuple(t for t in ACTOR_TYPES if t not in ("Asset", "Country"))


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read a contacts CSV into contact records; raise IngestError on the first bad row.

    Returns the records and the file's checksum. Touches no store.
    """
    table = read_table(
        path,
        FORMAT,
        REQUIRED,
        OPTIONAL,
        encoding=encoding,
        repair_mojibake=repair_mojibake,
        skip_invalid=skip_invalid,
    )
    table.parsed.contacts.extend(valid_records(table, contact_record, _identity))
    return table.finish(len(table.parsed.contacts))


def _identity(record: ContactRecord) -> tuple:
    """What makes two rows state one contact (what graph.relations hashes into its IRI)."""
    return (
        f"{record.kind} contact",
        record.party,
        record.body,
        record.via,
        record.programme,
        record.since,
    )


def contact_record(row: Row) -> ContactRecord:
    """The contact one row states."""
    values = row.values
    if not values["kind"]:
        raise RowProblem("kind is empty", "kind", hint=_known_kinds())
    kind = contact_kind(values["kind"])
    if kind is None:
        raise RowProblem(f"unknown kind {values['kind']!r}; known kinds: {_known_kinds()}", "kind")
    for column in ("from", "to"):
        if not values[column]:
            raise RowProblem(f"{column} is empty", column)
    source = party(
        values["from"],
        party_type(values["from_type"] or "City", "from_type", FROM_TYPES),
        values["from_country"],
        "from",
        "from_country",
    )
    body = party(
        values["to"],
        party_type(values["to_type"] or "FederalBody", "to_type", BODY_TYPES),
        values["to_country"],
        "to",
        "to_country",
    )
    via = None
    if values["via"]:
        via = party(
            values["via"],
            party_type(values["via_type"] or "Association", "via_type", BODY_TYPES),
            values["via_country"] or values["from_country"],
            "via",
            "via_country" if values["via_country"] else "from_country",
            inferred=not values["via_country"],
        )
    elif values["via_type"] or values["via_country"]:
        raise RowProblem("via_type or via_country is given, but via is empty", "via")
    programme = None
    if values["programme"]:
        programme = party(
            values["programme"],
            "Programme",
            values["to_country"],
            "programme",
            "to_country",
            inferred=True,
        )
    _check_distinct(source, body, via)
    amount, currency = money(values)
    since, until = interval(values)
    return ContactRecord(
        kind.key,
        source,
        body,
        row.line,
        via=via,
        programme=programme,
        amount=amount,
        currency=currency,
        since=since,
        until=until,
        description=values["description"] or None,
        citation=citation(values),
    )


def _check_distinct(source: Party, body: Party, via: Party | None) -> None:
    if source == body:
        raise RowProblem(f"from and to name the same party ({source.describe()})", "to")
    if via is not None and via in (source, body):
        raise RowProblem(
            f"via names the same party as {'from' if via == source else 'to'} "
            f"({via.describe()}); leave via empty for a direct contact",
            "via",
        )


def _known_kinds() -> str:
    return ", ".join(f"{k.label_en} ({k.label_de})" for k in CONTACT_KINDS)


def ingest_contacts(
    path: str | Path,
    *,
    store: str | Path | None = None,
    source_name: str | None = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    retrieved: date | None = None,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> IngestSummary:
    """Ingest a contacts CSV into the store (all or nothing); re-ingesting it adds nothing.

    Example
    -------
    >>> ingest_contacts("data/contacts.csv", store="/tmp/demo")  # doctest: +SKIP
    """
    path = Path(path)
    parsed, checksum = parse(
        path, encoding=encoding, repair_mojibake=repair_mojibake, skip_invalid=skip_invalid
    )
    return ingest_parsed(
        parsed,
        checksum,
        path,
        store=store,
        source_name=source_name,
        retrieved=retrieved,
        report_dir=report_dir,
        track=track,
    )
