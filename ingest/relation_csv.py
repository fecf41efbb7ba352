"""Reading a relation CSV (contacts, ties): header, cells, typed parties, money, shares,
dates, citations and duplicate rows, each problem reported with file, line and column."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from ..errors import IngestError
from ..graph.records import Actor, ParsedSource, PartialDate, Party, Place
from .actors import ACTOR_TYPES, registry
from .countries import Country, fold, resolve_country
from .text import check_no_mojibake, csv_rows, read_text, repaired, sniff_delimiter
from .validate import RowGate, parse_date

PLACE_TYPES = ("City", "Region")
PARTY_TYPES = PLACE_TYPES + ACTOR_TYPES
# German and variant spellings a file may use for a party's type.
_TYPE_ALIASES = {
    "stadt": "City",
    "gemeinde": "City",
    "kommune": "City",
    "bundesland": "Region",
    "provinz": "Region",
    "province": "Region",
    "kreis": "Region",
    "landkreis": "Region",
    "network": "CityNetwork",
    "netzwerk": "CityNetwork",
    "stadtenetzwerk": "CityNetwork",
    "bundesbehorde": "FederalBody",
    "behorde": "FederalBody",
    "ministerium": "FederalBody",
    "program": "Programme",
    "programm": "Programme",
    "forderprogramm": "Programme",
    "verband": "Association",
    "kommunalverband": "Association",
    "organization": "Organisation",
    "company": "Organisation",
    "unternehmen": "Organisation",
    "firma": "Organisation",
    "projekt": "Project",
    "anlage": "Asset",
    "state": "Country",
    "staat": "Country",
}
_TYPE_BY_NAME = {fold(name): name for name in PARTY_TYPES} | _TYPE_ALIASES
# Money as sources write it in a table: digits, '.' and at most two decimals. '50.000' is
# refused: in a German source it means fifty thousand.
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")
_PERCENT = re.compile(r"-?\d+(\.\d+)?")

T = TypeVar("T")


class RowProblem(ValueError):
    """What is wrong with one row: becomes an IngestError, or a rejection with --skip-invalid."""

    def __init__(self, reason: str, column: str | None = None, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.hint = hint


@dataclass(frozen=True)
class Row:
    """One data row: cells by column name (stripped, mojibake checked), its line and text."""

    line: int
    values: dict[str, str]
    raw: str


@dataclass
class RelationTable:
    """A relation CSV read and checked cell by cell; rows are validated by the caller."""

    parsed: ParsedSource
    checksum: str
    gate: RowGate
    header_line: int
    rows: list[Row] = field(default_factory=list)

    def reject(self, row: Row, problem: RowProblem) -> None:
        self.gate.reject(row.line, problem.reason, row.raw, problem.column, problem.hint)

    def finish(self, accepted: int) -> tuple[ParsedSource, str]:
        """Refuse a file without data rows or without one valid row; keep the rejections."""
        if self.parsed.row_count == 0:
            raise IngestError(
                self.parsed.path, "the file has a header but no data rows", line=self.header_line
            )
        self.gate.require_some_valid(accepted)
        self.parsed.rejections = self.gate.rejections
        return self.parsed, self.checksum


def read_table(
    path: Path,
    format: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> RelationTable:
    """Read a CSV whose header must hold `required` (+ `optional`) columns, in any order.

    Row numbers are file line numbers. ',' or ';' delimiters; UTF-8 with or without BOM.
    """
    text_file = read_text(path, encoding)
    file = str(path)
    text = text_file.text.lstrip("\ufeff")
    first_line = next(line for line in text.splitlines() if line.strip())
    rows = csv_rows(text, sniff_delimiter(first_line, ",;"), file)
    # Blank lines before the header are tolerated, as spreadsheets sometimes export them.
    header_line, header = next(
        ((line, cells) for line, cells in rows if any(c.strip() for c in cells)), (1, [])
    )
    columns = _check_header(file, header_line, header, required, optional)
    gate = RowGate(file, skip_invalid)
    table = RelationTable(
        ParsedSource(file, format, row_count=0), text_file.sha256, gate, header_line
    )
    # csv_rows counts lines by "\n", so rejections quote the same lines.
    source_lines = text.split("\n")
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        table.parsed.row_count += 1
        raw = source_lines[line - 1].rstrip("\r")
        if len(cells) != len(columns):
            gate.reject(
                line,
                f"{len(cells)} cells, but the header has {len(columns)} columns",
                raw,
                hint="quote a cell that contains the delimiter",
            )
            continue
        values = dict.fromkeys(optional, "")
        try:
            for column, cell in zip(columns, cells, strict=True):
                values[column] = _cell(file, line, column, cell, repair_mojibake)
        except IngestError as error:
            gate.reject(line, error.reason, raw, error.column, error.hint)
            continue
        table.rows.append(Row(line, values, raw))
    return table


def _check_header(
    file: str, line: int, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> list[str]:
    columns = [cell.strip().casefold() for cell in header]
    missing = [c for c in required if c not in columns]
    extra = [c for c in columns if c not in required + optional]
    expected = ",".join(required) + (f" (+ optional {','.join(optional)})" if optional else "")
    if missing:
        raise IngestError(
            file,
            f"missing column(s): {', '.join(missing)}",
            line=line,
            hint=f"the header must be {expected}",
        )
    if extra:
        raise IngestError(
            file, f"unknown column(s): {', '.join(extra)}", line=line, hint=f"allowed: {expected}"
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise IngestError(file, f"column(s) named twice: {', '.join(repeated)}", line=line)
    return columns


def _cell(file: str, line: int, column: str, cell: str, repair_mojibake: bool) -> str:
    value = " ".join(cell.split())
    if repair_mojibake:
        return repaired(value)
    check_no_mojibake(file, line, column, value)
    return value


def party_type(text: str, column: str, allowed: tuple[str, ...]) -> str:
    """The party type a cell names (English or German), if it may stand in `column`."""
    entity_type = _TYPE_BY_NAME.get(fold(text))
    if entity_type is None:
        raise RowProblem(f"unknown type {text!r}; known types: {', '.join(PARTY_TYPES)}", column)
    if entity_type not in allowed:
        raise RowProblem(
            f"{column} cannot be {entity_type} here; use one of: {', '.join(allowed)}", column
        )
    return entity_type


def country_of(text: str, column: str) -> Country:
    country = resolve_country(text)
    if country is None:
        raise RowProblem(
            f"unknown country {text!r}",
            column,
            hint="use an ISO code (DE, CN) or an English or German name",
        )
    return country


def party(
    name: str,
    entity_type: str,
    country_text: str,
    name_column: str,
    country_column: str,
    *,
    inferred: bool = False,
) -> Party:
    """A city, region or actor named in a row, with its country checked.

    A Country's name must name a country; any other party needs a country. An actor the
    registry knows must have the registry's country, unless the country was `inferred` from
    another party of the row: then the registry's country is taken.
    """
    if entity_type == "Country":
        state = resolve_country(name)
        if state is None:
            raise RowProblem(f"{name!r} is typed Country but is not a country's name", name_column)
        if country_text and country_of(country_text, country_column) != state:
            raise RowProblem(
                f"{name!r} is {state.name}, but {country_column} says {country_text!r}",
                country_column,
            )
        return Actor(name, "Country", state.iso2)
    if not country_text:
        raise RowProblem(
            f"{country_column} is empty; every party needs a country",
            country_column,
            hint="an ISO code (DE) or a name (Deutschland)",
        )
    iso2 = country_of(country_text, country_column).iso2
    if entity_type in PLACE_TYPES:
        return Place(name, iso2, entity_type=entity_type)
    known = registry().get(fold(name))
    registered = resolve_country(known.country) if known and known.country else None
    if registered is not None and inferred:
        return Actor(name, entity_type, registered.iso2)
    if registered is not None and registered.iso2 != iso2:
        raise RowProblem(
            f"the registry has {known.name} in {registered.name} ({registered.iso2}), "
            f"but {country_column} says {country_text!r}",
            country_column,
        )
    return Actor(name, entity_type, iso2)


def parse_amount(text: str) -> Decimal:
    if text.startswith("-"):
        raise RowProblem(f"amount {text} is negative", "amount")
    if _GERMAN_THOUSANDS.fullmatch(text):
        raise RowProblem(
            f"amount {text!r} is ambiguous: '.' here looks like a thousands separator",
            "amount",
            hint=f"write {text.replace('.', '')}",
        )
    if not _AMOUNT.fullmatch(text):
        raise RowProblem(
            f"amount {text!r} is not a number",
            "amount",
            hint="digits with '.' before at most two decimals, no thousands separators: "
            "25000 or 1250.50",
        )
    return Decimal(text)


def money(values: dict[str, str]) -> tuple[Decimal | None, str | None]:
    """The row's amount and ISO 4217 currency; each needs the other."""
    amount = parse_amount(values["amount"]) if values["amount"] else None
    currency = values["currency"].upper() or None
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise RowProblem(
            f"currency {values['currency']!r} is not a three-letter ISO 4217 code",
            "currency",
            hint="EUR, USD, CNY",
        )
    if amount is not None and currency is None:
        raise RowProblem("an amount needs a currency", "currency", hint="EUR, USD, CNY")
    if currency is not None and amount is None:
        raise RowProblem(f"currency {currency} is given without an amount", "amount")
    return amount, currency


def percent(text: str, column: str) -> Decimal:
    """A share in per cent: '30', '30 %', '30,5' (a decimal comma cannot mislead below 100)."""
    cleaned = text.removesuffix("%").strip().replace(",", ".")
    if not _PERCENT.fullmatch(cleaned):
        raise RowProblem(f"{column} {text!r} is not a number", column, hint="a per cent: 30")
    value = Decimal(cleaned)
    if not 0 <= value <= 100:
        raise RowProblem(f"{column} {text} is not between 0 and 100 (per cent)", column)
    return value


def interval(values: dict[str, str]) -> tuple[PartialDate | None, PartialDate | None]:
    """The row's since and until; since must not be after until."""
    dates = []
    for column in ("since", "until"):
        try:
            dates.append(parse_date(values[column], column) if values[column] else None)
        except ValueError as error:
            raise RowProblem(str(error), column) from None
    since, until = dates
    if since is not None and until is not None and until < since:
        raise RowProblem(f"since {since} is after until {until}", "until")
    return since, until


def citation(values: dict[str, str]) -> str:
    if not values["source"]:
        raise RowProblem(
            "source is empty; every contact and tie needs the document that states it",
            "source",
            hint="title, publisher, year",
        )
    return values["source"]


def valid_records(
    table: RelationTable,
    record_of: Callable[[Row], T],
    identity: Callable[[T], tuple],
    repeated: Callable[[T, int], str] | None = None,
) -> Iterator[T]:
    """The record of each valid row; a bad row, or one repeating an earlier row's relation,
    goes to the gate. `repeated(record, first_line)` words the duplicate's reason."""
    seen: dict[tuple, int] = {}
    for row in table.rows:
        try:
            record = record_of(row)
            key = identity(record)
            if key in seen:
                reason = (
                    repeated(record, seen[key])
                    if repeated
                    else f"duplicate row: states the same {key[0]} as line {seen[key]}"
                )
                raise RowProblem(reason, hint="delete one of the two rows")
        except RowProblem as problem:
            table.reject(row, problem)
            continue
        seen[key] = row.line
        yield record
