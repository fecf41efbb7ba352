"""citydiplo's own partnership CSV.

    city_a,country_a,city_b,country_b,kind,since,until,status,source
    Dortmund,DE,Buffalo,US,Partnerschaft,1978,,active,IP 2025
    Dortmund,DE,Pittsburgh,US,innovation,2021,,,IP 2025

Optional columns `qid_a,qid_b` (Wikidata QIDs) and `type_a,type_b` (City, the default, or
Region: a province or Land twinned as a partner province). UTF-8 with or without BOM; ',' or
';' delimiters.
"""

from __future__ import annotations

from pathlib import Path

from ..graph.records import ParsedSource, Place, TwinningRecord
from ..graph.vocab import QID_PATTERN, TWINNING_KINDS, twinning_kind
from .countries import resolve_country
from .relation_csv import RowProblem, read_table, valid_records
from .validate import parse_date, parse_status, twinning_problem

FORMAT = "citydiplo-csv"
REQUIRED = (
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "kind",
    "since",
    "until",
    "status",
    "source",
)
OPTIONAL = ("qid_a", "qid_b", "type_a", "type_b")
PLACE_TYPES = ("City", "Region")


def looks_like(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix.casefold() == ".csv":
        return True
    with path.open("rb") as handle:
        header = handle.readline(4096).decode("utf-8", "replace")
    cells = {
        c.strip().strip('"').lstrip("\ufeff").casefold()
        for c in header.replace(";", ",").split(",")
    }
    return {"city_a", "city_b"} <= cells


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read a partnership CSV into twinning records; raise IngestError on the first bad row.

    Returns the records and the file's checksum.
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
    twinnings = table.parsed.twinnings
    twinnings.extend(
        valid_records(table, lambda row: _record(row.line, row.values), _identity, _repeated)
    )
    return table.finish(len(twinnings))


def _identity(record: TwinningRecord) -> tuple:
    # A–B and B–A of the same kind are the same twinning.
    partners = frozenset(
        {
            (record.partner_a.name, record.partner_a.country),
            (record.partner_b.name, record.partner_b.country),
        }
    )
    return (partners, record.kind.key)


def _repeated(record: TwinningRecord, first_line: int) -> str:
    return (
        f"duplicate row: repeats the {record.kind.key} twinning of "
        f"{record.partner_a.describe()} and {record.partner_b.describe()} on line {first_line}"
    )


def _place(values: dict[str, str], side: str) -> Place:
    name, country, qid = values[f"city_{side}"], values[f"country_{side}"], values[f"qid_{side}"]
    if not name and not qid:
        raise RowProblem("the city name is empty", f"city_{side}")
    if qid and not QID_PATTERN.fullmatch(qid):
        raise RowProblem(f"{qid!r} is not a Wikidata QID (Q followed by digits)", f"qid_{side}")
    if country and resolve_country(country) is None:
        raise RowProblem(f"unknown country {country!r}", f"country_{side}")
    place_type = values[f"type_{side}"].capitalize() or "City"
    if place_type not in PLACE_TYPES:
        raise RowProblem(
            f"unknown type {values[f'type_{side}']!r} (use City or Region)", f"type_{side}"
        )
    return Place(name or None, country or None, qid or None, entity_type=place_type)


def _record(line: int, values: dict[str, str]) -> TwinningRecord:
    partner_a, partner_b = _place(values, "a"), _place(values, "b")
    kind = twinning_kind(values["kind"]) if values["kind"] else twinning_kind("partnership")
    if kind is None:
        known = ", ".join(f"{k.key} ({k.label_de})" for k in TWINNING_KINDS)
        raise RowProblem(f"unknown kind {values['kind']!r}; known kinds: {known}", "kind")
    try:
        since = parse_date(values["since"], "since") if values["since"] else None
        until = parse_date(values["until"], "until") if values["until"] else None
        status = parse_status(values["status"]) if values["status"] else None
    except ValueError as error:
        raise RowProblem(str(error)) from None
    record = TwinningRecord(
        partner_a, partner_b, kind, line, since, until, status, values["source"] or None
    )
    problem = twinning_problem(record)
    if problem:
        raise RowProblem(problem)
    return record
