"""`ingest memberships`: who is a member of which city network, from a list or a wide table.

The list CSV, one membership a row:

    network,city,country,role,since,until,source
    Eurocities,Dortmund,DE,member,,,"Städtetag 2021"
    Mayors for Peace,Hannover,DE,vice-president,1983,,"Städtetag 2021"

Optional columns: `member_type` (City, the default, or Region, or an actor type such as
Association for a member that is not a place), `qid` (the member's Wikidata QID) and
`network_type` (CityNetwork, the default). `network` is resolved through the actor registry
in any of its English, German or French names; a network the registry does not know is created
and reported. UTF-8 with or without BOM; ',' or ';' delimiters.

The wide 0/1 table (ClimActor's shape) is read by `climactor.py`. `ingest_memberships` tells
the two apart by their headers, parses and validates the whole input, then writes it through
`pipeline.ingest_parsed` (all or nothing).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..errors import IngestError
from ..graph.records import Actor, MembershipRecord, ParsedSource, Place
from ..graph.vocab import QID_PATTERN
from . import climactor
from .actors import ACTOR_TYPES
from .climactor import registry_actor
from .countries import fold, resolve_country
from .pipeline import IngestSummary, Tracker, ingest_parsed, untracked
from .relation_csv import RowProblem, read_table, valid_records
from .text import csv_rows, read_text, sniff_delimiter
from .validate import parse_date

FORMAT = "memberships-csv"
FORMATS = ("list", "wide")
REQUIRED = ("network", "city", "country", "role", "since", "until", "source")
OPTIONAL = ("member_type", "qid", "network_type")
PLACE_TYPES = ("City", "Region")
# Countries take part as controllers of companies, assets are owned: neither is a member.
MEMBER_TYPES = PLACE_TYPES + tuple(t for t in ACTOR_TYPES if t not in ("Country", "Asset"))
NETWORK_TYPES = tuple(t for t in ACTOR_TYPES if t not in ("Country", "Asset"))


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read a membership list into membership records; raise IngestError on the first bad row.

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
    memberships = table.parsed.memberships
    memberships.extend(
        valid_records(table, lambda row: _record(row.line, row.values), _membership_key, _repeated)
    )
    return table.finish(len(memberships))


def _repeated(record: MembershipRecord, first_line: int) -> str:
    return (
        f"duplicate row: repeats the membership of {record.member.describe()} in "
        f"{record.organisation.name} on line {first_line}"
    )


def _type(text: str, allowed: tuple[str, ...], default: str) -> str | None:
    if not text:
        return default
    return next((t for t in allowed if t.casefold() == text.casefold()), None)


def _record(line: int, values: dict[str, str]) -> MembershipRecord:
    network, name, country = values["network"], values["city"], values["country"]
    qid = values["qid"]
    if not network:
        raise RowProblem("the network is empty", "network")
    network_type = _type(values["network_type"], NETWORK_TYPES, "CityNetwork")
    member_type = _type(values["member_type"], MEMBER_TYPES, "City")
    if network_type is None:
        known = ", ".join(NETWORK_TYPES)
        raise RowProblem(
            f"unknown network_type {values['network_type']!r} (use one of: {known})",
            "network_type",
        )
    if member_type is None:
        known = ", ".join(MEMBER_TYPES)
        raise RowProblem(
            f"unknown member_type {values['member_type']!r} (use one of: {known})", "member_type"
        )
    if not name and not (qid and member_type in PLACE_TYPES):
        raise RowProblem("the member's name (column city) is empty", "city")
    if qid and not QID_PATTERN.fullmatch(qid):
        raise RowProblem(f"{qid!r} is not a Wikidata QID (Q followed by digits)", "qid")
    if country and resolve_country(country) is None:
        raise RowProblem(f"unknown country {country!r}", "country")
    try:
        since = parse_date(values["since"], "since") if values["since"] else None
        until = parse_date(values["until"], "until") if values["until"] else None
    except ValueError as error:
        raise RowProblem(str(error)) from None
    if since and until and until < since:
        raise RowProblem(f"since {since} is after until {until}")
    member: Place | Actor
    if member_type in PLACE_TYPES:
        member = Place(name or None, country or None, qid or None, entity_type=member_type)
    elif qid:
        member = Actor(name, member_type, country or None, qid)
    else:
        member = registry_actor(name, member_type)
    return MembershipRecord(
        member,
        registry_actor(network, network_type),
        line,
        role=values["role"] or None,
        since=since,
        until=until,
        citation=values["source"] or None,
    )


def _membership_key(record: MembershipRecord) -> tuple:
    """What makes two rows the same membership: the network (its registry name, whichever
    variant the row used), and the member by QID, else by folded name, country and kind."""
    network = fold(record.organisation.name)
    member = record.member
    country = resolve_country(member.country)
    if member.qid:
        return network, member.qid
    kind = "place" if isinstance(member, Place) else member.entity_type
    return network, fold(member.name or ""), country.iso2 if country else None, kind


# --- one entry point for both shapes ------------------------------------------------------
def detect_format(path: Path, encoding: str = "utf-8") -> str:
    """'list' or 'wide', judged by the header; the file's own problems (empty, binary, wrong
    encoding) are reported as such."""
    text = read_text(path, encoding).text.lstrip("\ufeff")
    line, first = next((n, t) for n, t in enumerate(text.splitlines(), 1) if t.strip())
    cells = next(csv_rows(first, sniff_delimiter(first, ",;\t"), str(path)))[1]
    if {"network", "city"} <= {cell.strip().casefold() for cell in cells}:
        return "list"
    if climactor.looks_wide(cells):
        return "wide"
    raise IngestError(
        str(path),
        "cannot tell a membership list (network,city,…) from a wide table "
        "(name,iso,entity_type,…) by this header",
        line=line,
        hint="pass --format list or --format wide",
    )


def read_memberships(
    path: Path,
    format: str | None = None,
    *,
    mapping: Path | None = None,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Parse and validate a membership input without touching any store."""
    if format is not None and format not in FORMATS:
        raise IngestError(
            str(path), f"unknown format {format!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    shape = format or detect_format(path, encoding)
    if shape == "wide":
        # ClimActor's names carry mojibake and R escapes, so repair is always on for this shape.
        return climactor.parse(path, encoding=encoding, skip_invalid=skip_invalid, mapping=mapping)
    if mapping is not None:
        raise IngestError(
            str(mapping),
            f"a column mapping applies to wide tables only, and {path} is a membership list",
            hint="leave out --mapping, or pass --format wide",
        )
    return parse(
        path, encoding=encoding, repair_mojibake=repair_mojibake, skip_invalid=skip_invalid
    )


def ingest_memberships(
    path: str | Path,
    *,
    store: str | Path | None = None,
    format: str | None = None,
    mapping: str | Path | None = None,
    source_name: str | None = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    retrieved: date | None = None,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> IngestSummary:
    """Ingest a membership list or a wide 0/1 table into the store (all or nothing).

    `format` is 'list' or 'wide' (default: judged by the header); `mapping` is a
    `column,network,year` CSV for a wide table's columns. Networks the registry does not know
    are created and listed in `summary.created`.

    Example
    -------
    >>> ingest_memberships(CLIMACTOR_CSV, store="/tmp/demo")  # doctest: +SKIP
    """
    path = Path(path)
    parsed, checksum = read_memberships(
        path,
        format,
        mapping=Path(mapping) if mapping is not None else None,
        encoding=encoding,
        repair_mojibake=repair_mojibake,
        skip_invalid=skip_invalid,
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
