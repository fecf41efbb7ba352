"""Wide membership tables in ClimActor's shape: one row per city or region, one 0/1 column per
network or initiative.

    name,iso,entity_type,country,…,lat,lng,population,…,C40Cities2019,EUCovenantofMayors2019,…
    Aachen,DEU,City,Germany,…,50.776351,6.083862,244509,…,0,1,…

`name`, `iso` (ISO 3166 alpha-3) and `entity_type` (City or Region) are required; ClimActor's
other descriptive columns are optional, and of them `lat`, `lng` and `population` are kept on
the place. Every other column is a network column. Which network it stands for comes from a
mapping `column,network,year` (built in for ClimActor: `data/registry/climactor_columns.csv`,
whose comments record each decision); a `--mapping FILE` of the same shape replaces the
built-in rows of the columns it names. A column listing several networks has a row for each; a
year says when the column observed the membership, and a city marked in several columns of one
network (C40 and C40Cities2019) gets one membership that keeps every year. A column that the
mapping ignores or does not know is reported and ignored, unless its name is itself a network
of the registry (or a comma-separated list of them).

ClimActor stores R's escapes (`Ocna Mure<U+0219>`) and the odd UTF-8-read-as-Latin-1 name
(`Å\xa0empeter-Vrtojba`), so names are always repaired here, and each repair is counted.
Coordinates or populations that cannot be right (a longitude of 2017, a latitude without a
longitude, 169.511 inhabitants) are dropped and listed; the row's memberships still count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import IngestError
from ..graph.records import Actor, MembershipRecord, ParsedSource, Place
from .actors import registry
from .countries import fold, resolve_country
from .text import csv_rows, directory_checksum, read_text, repaired, sniff_delimiter
from .validate import RowGate

FORMAT = "memberships-wide"
IDENTITY = ("name", "iso", "entity_type")
# ClimActor's descriptive columns; only the coordinates and the population reach the graph.
DESCRIPTIVE = (
    "country",
    "region",
    "area",
    "initiatives_committed",
    "num_commit",
    "lat",
    "lng",
    "population",
    "population_year",
    "state",
    "admin_1",
)
ENTITY_TYPES = {"city": "City", "region": "Region"}
MAPPING_COLUMNS = ("column", "network", "year")
BUILT_IN_MAPPING = "data/registry/climactor_columns.csv"
# Examples shown per note; the counts are always complete.
SHOWN = 5

_R_ESCAPE = re.compile(r"<U\+([0-9A-Fa-f]{4,6})>")
# A UTF-8 lead byte read as Latin-1 followed by a continuation byte read as Latin-1.
_LATIN1_PAIR = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
_YEAR_SUFFIX = re.compile(r"(.*?)\s*((?:19|20)\d\d)")


@dataclass(frozen=True)
class ColumnTarget:
    """A network a column stands for, and the year in which the column saw its members."""

    network: str
    year: int | None = None


# Folded column name → its networks; an empty tuple marks a column the mapping ignores.
ColumnMapping = dict[str, tuple[ColumnTarget, ...]]


def repaired_name(value: str) -> str:
    """A ClimActor name as it was meant: R's <U+XXXX> escapes decoded, mojibake undone.

    ftfy misses mojibake that ends in a no-break space ('Å\\xa0empeter' for 'Šempeter'), so a
    Latin-1 round trip is tried for text that has a UTF-8 byte pair read as Latin-1.
    """
    text = _R_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)
    fixed = repaired(text)
    if fixed == text and _LATIN1_PAIR.search(text):
        try:
            fixed = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return text
    return fixed


# --- the mapping --------------------------------------------------------------------------
@cache
def registry_actor(name: str, entity_type: str = "CityNetwork") -> Actor:
    """The actor a name stands for: the registry's entry (its own name, type, country and QID)
    when the registry knows the name, so that spellings of one network meet in the parser."""
    entry = registry().get(fold(name))
    if entry is None:
        return Actor(name, entity_type)
    return Actor(entry.name, entry.entity_type, entry.country, entry.qid)


def _read_mapping(file: str, text: str) -> ColumnMapping:
    # Comment lines become blank lines, so that line numbers stay those of the file.
    lines = ["" if line.lstrip().startswith("#") else line for line in text.split("\n")]
    rows = [(n, cells) for n, cells in csv_rows("\n".join(lines), ",", file) if any(cells)]
    if not rows or [c.strip().casefold() for c in rows[0][1]] != list(MAPPING_COLUMNS):
        raise IngestError(
            file,
            "a column mapping needs the header column,network,year",
            line=rows[0][0] if rows else None,
            hint="one row per column and network, e.g. C40Cities2019,C40,2019",
        )
    mapping: dict[str, list[ColumnTarget]] = {}
    for line, cells in rows[1:]:
        if len(cells) != len(MAPPING_COLUMNS):
            raise IngestError(file, f"{len(cells)} cells, but the header has 3 columns", line=line)
        column, network, year_text = (cell.strip() for cell in cells)
        if not column:
            raise IngestError(file, "the column name is empty", line=line, column="column")
        year = None
        if year_text:
            if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
                raise IngestError(file, f"{year_text!r} is not a year", line=line, column="year")
            year = int(year_text)
        targets = mapping.setdefault(fold(column), [])
        if network:
            target = ColumnTarget(registry_actor(network).name, year)
            if target in targets:
                raise IngestError(
                    file, f"column {column!r} is mapped to {network!r} twice", line=line
                )
            targets.append(target)
        elif targets:
            raise IngestError(
                file,
                f"column {column!r} is both ignored (no network) and mapped",
                line=line,
                hint="give the column either networks or one row with an empty network",
            )
        elif year is not None:
            raise IngestError(file, "a year needs a network", line=line, column="network")
    return {column: tuple(targets) for column, targets in mapping.items()}


def built_in_mapping() -> ColumnMapping:
    """ClimActor's columns and the networks they stand for."""
    text = resources.files("citydiplo").joinpath(BUILT_IN_MAPPING).read_text("utf-8")
    return _read_mapping(BUILT_IN_MAPPING, text)


# --- the table ----------------------------------------------------------------------------
@dataclass
class _Layout:
    """Where the columns of one table are, and what each network column means."""

    identity: dict[str, int]
    descriptive: dict[str, int]
    networks: list[tuple[int, str, tuple[ColumnTarget, ...]]]
    ignored: list[tuple[int, str, str]]
    by_name: list[str]


def _targets_by_name(column: str, mapping: ColumnMapping) -> tuple[ColumnTarget, ...] | None:
    """A column the mapping does not name, read as network names ('Eurocities,Energy Cities',
    'Eurocities2019'); None unless every part names a mapped column or a registry network."""
    targets: list[ColumnTarget] = []
    for part in (p.strip() for p in column.split(",")):
        if fold(part) in mapping and mapping[fold(part)]:
            targets.extend(mapping[fold(part)])
            continue
        name, year = part, None
        suffixed = _YEAR_SUFFIX.fullmatch(part)
        if fold(part) not in registry() and suffixed:
            name, year = suffixed.group(1), int(suffixed.group(2))
        entry = registry().get(fold(name))
        if entry is None:
            return None
        targets.append(ColumnTarget(entry.name, year))
    return tuple(dict.fromkeys(targets))


def _layout(file: str, line: int, header: list[str], mapping: ColumnMapping) -> _Layout:
    columns = [cell.strip().lstrip("\ufeff") for cell in header]
    folded = [fold(c) for c in columns]
    missing = [c for c in IDENTITY if c not in folded]
    if missing:
        raise IngestError(
            file,
            f"missing column(s): {', '.join(missing)}",
            line=line,
            hint="a wide membership table needs name,iso,entity_type and one 0/1 column per "
            "network (or pass --format list for a network,city,… list)",
        )
    repeated = sorted({c for c, f in zip(columns, folded, strict=True) if folded.count(f) > 1})
    if repeated:
        raise IngestError(file, f"column(s) named twice: {', '.join(repeated)}", line=line)
    layout = _Layout({}, {}, [], [], [])
    for index, (column, key) in enumerate(zip(columns, folded, strict=True)):
        if key in IDENTITY:
            layout.identity[key] = index
        elif key in DESCRIPTIVE:
            layout.descriptive[key] = index
        elif mapping.get(key):
            layout.networks.append((index, column, mapping[key]))
        elif key in mapping:
            layout.ignored.append((index, column, "no network in the mapping"))
        elif (targets := _targets_by_name(column, mapping)) is not None:
            layout.networks.append((index, column, targets))
            layout.by_name.append(f"{column!r} → {', '.join(t.network for t in targets)}")
        else:
            layout.ignored.append((index, column, "not in the mapping"))
    if not layout.networks:
        raise IngestError(
            file,
            "no column of this table is a network the mapping or the registry knows",
            line=line,
            hint="pass --mapping FILE with rows column,network,year",
        )
    return layout


@dataclass
class _Findings:
    """What the notes of the summary report: repairs, dropped values, ignored marks."""

    repaired: list[str]
    dropped: list[str]
    without_membership: list[str]
    ignored_marks: dict[int, int]


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    skip_invalid: bool = False,
    mapping: Path | None = None,
) -> tuple[ParsedSource, str]:
    """Read a wide membership table; raise IngestError on the first bad row.

    Returns the records and a checksum: the file's, combined with the mapping file's when one
    is given (the same table read with another mapping is another source version).
    """
    columns = built_in_mapping()
    mapping_file = None
    if mapping is not None:
        mapping_file = read_text(mapping, encoding)
        columns = {**columns, **_read_mapping(str(mapping), mapping_file.text)}
    table = read_text(path, encoding)
    file = str(path)
    text = table.text.lstrip("\ufeff")
    first_line = next(line for line in text.splitlines() if line.strip())
    rows = csv_rows(text, sniff_delimiter(first_line, ",;\t"), file)
    header_line, header = next(((n, cells) for n, cells in rows if any(cells)), (1, []))
    layout = _layout(file, header_line, header, columns)
    source_lines = text.split("\n")
    gate = RowGate(file, skip_invalid)
    parsed = ParsedSource(file, FORMAT, row_count=0)
    findings = _Findings([], [], [], {index: 0 for index, _, _ in layout.ignored})
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        parsed.row_count += 1
        raw = source_lines[line - 1].rstrip("\r")
        if len(cells) != len(header):
            gate.reject(line, f"{len(cells)} cells, but the header has {len(header)} columns", raw)
            continue
        place = _place(line, cells, layout, gate, raw, findings)
        if place is None:
            continue
        key = (place.name or "", place.country or "", place.entity_type)
        if key in seen:
            gate.reject(
                line,
                f"duplicate row: repeats {place.describe()} of line {seen[key]}",
                raw,
                hint="delete one of the two rows",
            )
            continue
        memberships = _memberships(line, cells, layout, gate, raw, place)
        if memberships is None:
            continue
        seen[key] = line
        name_cell = cells[layout.identity["name"]].strip()
        if place.name != name_cell:
            findings.repaired.append(f"{name_cell!r} → {place.name!r}")
        for index in findings.ignored_marks:
            findings.ignored_marks[index] += cells[index].strip() == "1"
        if not memberships:
            findings.without_membership.append(f"line {line} {place.name!r}")
        parsed.memberships.extend(memberships)
    if parsed.row_count == 0:
        raise IngestError(file, "the file has a header but no data rows", line=header_line)
    gate.require_some_valid(len(seen))
    parsed.rejections = gate.rejections
    parsed.notes = _notes(layout, findings)
    checksum = table.sha256
    if mapping_file is not None:
        checksum = directory_checksum({"table": table, "mapping": mapping_file})
    return parsed, checksum


def _place(
    line: int, cells: list[str], layout: _Layout, gate: RowGate, raw: str, findings: _Findings
) -> Place | None:
    name_cell, iso, kind = (cells[layout.identity[c]].strip() for c in IDENTITY)
    if not name_cell:
        gate.reject(line, "the name is empty", raw, "name")
        return None
    name = repaired_name(name_cell)
    if resolve_country(iso) is None:
        gate.reject(
            line, f"unknown country {iso!r}", raw, "iso", hint="use an ISO alpha-3 code like DEU"
        )
        return None
    entity_type = ENTITY_TYPES.get(kind.casefold())
    if entity_type is None:
        gate.reject(line, f"unknown entity_type {kind!r} (use City or Region)", raw, "entity_type")
        return None
    try:
        latitude, longitude = _coordinates(cells, layout, findings, line, name)
        population = _population(cells, layout, findings, line, name)
    except ValueError as error:
        gate.reject(line, str(error), raw)
        return None
    return Place(name, iso, None, latitude, longitude, population, entity_type)


def _number(cells: list[str], layout: _Layout, column: str) -> float | None:
    index = layout.descriptive.get(column)
    text = cells[index].strip() if index is not None else ""
    if not text or text.upper() == "NA":
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"column {column}: {text!r} is not a number") from None


def _coordinates(
    cells: list[str], layout: _Layout, findings: _Findings, line: int, name: str
) -> tuple[float | None, float | None]:
    latitude, longitude = _number(cells, layout, "lat"), _number(cells, layout, "lng")
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        findings.dropped.append(f"line {line} {name!r}: lat {latitude}, lng {longitude}")
        return None, None
    return latitude, longitude


def _population(
    cells: list[str], layout: _Layout, findings: _Findings, line: int, name: str
) -> int | None:
    # R writes large numbers as 2e+05; a population with a fraction is a misread number.
    population = _number(cells, layout, "population")
    if population is None:
        return None
    if population < 0 or not population.is_integer():
        findings.dropped.append(f"line {line} {name!r}: population {population}")
        return None
    return int(population)


def _memberships(
    line: int, cells: list[str], layout: _Layout, gate: RowGate, raw: str, place: Place
) -> list[MembershipRecord] | None:
    years: dict[str, set[int]] = {}
    for index, column, targets in layout.networks:
        mark = cells[index].strip()
        if mark in ("", "0"):
            continue
        if mark != "1":
            gate.reject(line, f"{mark!r} is not 0 or 1", raw, column)
            return None
        for target in targets:
            observed = years.setdefault(target.network, set())
            if target.year is not None:
                observed.add(target.year)
    return [
        MembershipRecord(place, registry_actor(network), line, observed=tuple(sorted(seen)))
        for network, seen in years.items()
    ]


def _listed(items: Iterable[str], count: int) -> str:
    shown = list(items)[:SHOWN]
    return "; ".join(shown) + ("; …" if count > len(shown) else "")


def _notes(layout: _Layout, findings: _Findings) -> list[str]:
    notes = []
    if findings.repaired:
        notes.append(
            f"{len(findings.repaired)} names repaired (R escapes, UTF-8 read as Latin-1): "
            + _listed(findings.repaired, len(findings.repaired))
        )
    for reason in ("no network in the mapping", "not in the mapping"):
        columns = [
            f"{column!r} ({findings.ignored_marks[index]} marked)"
            for index, column, why in layout.ignored
            if why == reason
        ]
        if columns:
            notes.append(f"{len(columns)} columns ignored, {reason}: {', '.join(columns)}")
    if layout.by_name:
        notes.append("columns read as the networks they name: " + ", ".join(layout.by_name))
    if findings.dropped:
        notes.append(
            f"{len(findings.dropped)} impossible coordinates or populations dropped: "
            + _listed(findings.dropped, len(findings.dropped))
        )
    if findings.without_membership:
        notes.append(
            f"{len(findings.without_membership)} rows mark no mapped network and add nothing: "
            + _listed(findings.without_membership, len(findings.without_membership))
        )
    return notes


def looks_wide(header: Iterable[str]) -> bool:
    """Whether a header is a wide table's: it has ClimActor's name, iso and entity_type."""
    return set(IDENTITY) <= {fold(cell.strip().strip('"')) for cell in header}
