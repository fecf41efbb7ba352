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

from ..errors import IngestError
from ..graph.records import ParsedSource, Place, TwinningRecord
from ..graph.vocab import QID_PATTERN, TWINNING_KINDS, twinning_kind
from .countries import resolve_country
from .text import check_no_mojibake, csv_rows, read_text, repaired, sniff_delimiter
from .validate import RowGate, parse_date, parse_status, twinning_problem

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


def _check_header(file: str, line: int, header: list[str]) -> list[str]:
    columns = [cell.strip().casefold() for cell in header]
    missing = [c for c in REQUIRED if c not in columns]
    extra = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing:
        raise IngestError(
            file,
            f"missing column(s): {', '.join(missing)}",
            line=line,
            hint=f"the header must be {','.join(REQUIRED)} (+ optional {','.join(OPTIONAL)})",
        )
    if extra:
        raise IngestError(
            file,
            f"unknown column(s): {', '.join(extra)}",
            line=line,
            hint=f"allowed columns: {','.join(REQUIRED + OPTIONAL)}",
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise IngestError(file, f"column(s) named twice: {', '.join(repeated)}", line=line)
    return columns


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


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
    text_file = read_text(path, encoding)
    file = str(path)
    text = text_file.text
    first_line = next(line for line in text.lstrip("\ufeff").splitlines() if line.strip())
    gate = RowGate(file, skip_invalid)
    rows = csv_rows(text, sniff_delimiter(first_line, ",;"), file)
    # Blank lines before the header are tolerated, as spreadsheets sometimes export them.
    header_line, header = next(
        ((line, cells) for line, cells in rows if not _blank(cells)), (1, [])
    )
    columns = _check_header(file, header_line, header)
    # csv_rows counts lines by "\n", so the report quotes the same lines.
    source_lines = text.lstrip("\ufeff").split("\n")
    parsed = ParsedSource(file, FORMAT, row_count=0)
    seen: dict[tuple, int] = {}
    for line, cells in rows:
        if _blank(cells):
            continue
        parsed.row_count += 1
        raw = source_lines[line - 1].rstrip("\r")
        if len(cells) != len(columns):
            gate.reject(
                line,
                f"{len(cells)} cells, but the header has {len(columns)} columns",
                raw,
                hint="quote a cell that contains the delimiter",
            )
            continue
        record = _record(
            file, line, dict(zip(columns, cells, strict=True)), repair_mojibake, gate, raw
        )
        if record is None:
            continue
        key = (
            frozenset(
                {
                    (record.partner_a.name, record.partner_a.country),
                    (record.partner_b.name, record.partner_b.country),
                }
            ),
            record.kind.key,
        )
        if key in seen:
            gate.reject(
                line,
                f"duplicate row: repeats the {record.kind.key} twinning of "
                f"{record.partner_a.describe()} and {record.partner_b.describe()} "
                f"on line {seen[key]}",
                raw,
                hint="delete one of the two rows",
            )
            continue
        seen[key] = line
        parsed.twinnings.append(record)
    if parsed.row_count == 0:
        raise IngestError(file, "the file has a header but no data rows", line=header_line)
    gate.require_some_valid(len(parsed.twinnings))
    parsed.rejections = gate.rejections
    return parsed, text_file.sha256


def _record(
    file: str, line: int, row: dict[str, str], repair_mojibake: bool, gate: RowGate, raw: str
) -> TwinningRecord | None:
    values = {}
    for column, value in row.items():
        value = value.strip()
        if repair_mojibake:
            value = repaired(value)
        else:
            try:
                check_no_mojibake(file, line, column, value)
            except IngestError as error:
                gate.reject(line, error.reason, raw, column, hint=error.hint)
                return None
        values[column] = value
    places = []
    for side in ("a", "b"):
        name, country, qid = (
            values[f"city_{side}"],
            values[f"country_{side}"],
            values.get(f"qid_{side}", ""),
        )
        if not name and not qid:
            gate.reject(line, "the city name is empty", raw, f"city_{side}")
            return None
        if qid and not QID_PATTERN.fullmatch(qid):
            gate.reject(
                line, f"{qid!r} is not a Wikidata QID (Q followed by digits)", raw, f"qid_{side}"
            )
            return None
        if country and resolve_country(country) is None:
            gate.reject(line, f"unknown country {country!r}", raw, f"country_{side}")
            return None
        place_type = values.get(f"type_{side}", "").capitalize() or "City"
        if place_type not in PLACE_TYPES:
            gate.reject(
                line,
                f"unknown type {values[f'type_{side}']!r} (use City or Region)",
                raw,
                f"type_{side}",
            )
            return None
        places.append(Place(name or None, country or None, qid or None, entity_type=place_type))
    kind = twinning_kind(values["kind"]) if values["kind"] else twinning_kind("partnership")
    if kind is None:
        known = ", ".join(f"{k.key} ({k.label_de})" for k in TWINNING_KINDS)
        gate.reject(line, f"unknown kind {values['kind']!r}; known kinds: {known}", raw, "kind")
        return None
    try:
        since = parse_date(values["since"], "since") if values["since"] else None
        until = parse_date(values["until"], "until") if values["until"] else None
        status = parse_status(values["status"]) if values["status"] else None
    except ValueError as error:
        gate.reject(line, str(error), raw)
        return None
    record = TwinningRecord(
        places[0], places[1], kind, line, since, until, status, values["source"] or None
    )
    problem = twinning_problem(record)
    if problem:
        gate.reject(line, problem, raw)
        return None
    return record
