"""A nodes/links twin network with countries and coordinates (twin-cities 2026).

    nodes.tsv: id<TAB>name<TAB>lng<TAB>lat<TAB>country<TAB>countrycd<TAB>continent
               Q1295<TAB>Dortmund<TAB>7.465<TAB>51.514<TAB>Germany<TAB>DE<TAB>Europe
    links.tsv: source<TAB>target
               Q1295<TAB>Q40435

Links are undirected; every endpoint must be a node.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import IngestError
from ..graph.records import ParsedSource, Place, TwinningRecord
from ..graph.vocab import QID_PATTERN, twinning_kind
from .countries import resolve_country
from .text import check_no_mojibake, directory_checksum, read_text, repaired, tsv_rows
from .validate import RowGate

FORMAT = "twin-network-tsv"
FILES = ("nodes.tsv", "links.tsv")
NODE_COLUMNS = ("id", "name", "lng", "lat", "country", "countrycd")


def looks_like(directory: Path) -> bool:
    return all((directory / name).is_file() for name in FILES)


def _header(file: str, line: int, cells: list[str], required: tuple[str, ...]) -> dict[str, int]:
    columns = [c.strip().casefold() for c in cells]
    missing = [c for c in required if c not in columns]
    if missing:
        raise IngestError(
            file,
            f"missing column(s): {', '.join(missing)}",
            line=line,
            hint=f"expected a header with {', '.join(required)}",
        )
    return {name: columns.index(name) for name in columns}


def _coordinate_cell(
    file: str, line: int, cells: list[str], index: dict[str, int], column: str, limit: int
) -> float | None:
    """A longitude (limit 180) or latitude (limit 90) in degrees, or None if the cell is empty."""
    text = cells[index[column]].strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise IngestError(file, f"{text!r} is not a number", line=line, column=column) from None
    if not -limit <= value <= limit:
        raise IngestError(
            file, f"{value:g} is outside -{limit}..{limit} degrees", line=line, column=column
        )
    return value


def parse(
    directory: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    files = {name: read_text(directory / name, encoding) for name in FILES}
    nodes_file, links_file = str(directory / "nodes.tsv"), str(directory / "links.tsv")
    node_rows = tsv_rows(files["nodes.tsv"].text)
    header_line, header = next(node_rows)
    index = _header(nodes_file, header_line, header, NODE_COLUMNS)
    places: dict[str, Place] = {}
    for line, cells in node_rows:
        if len(cells) != len(header):
            raise IngestError(
                nodes_file,
                f"{len(cells)} tab-separated cells, but the header has {len(header)} columns",
                line=line,
            )
        qid = cells[index["id"]].strip()
        if not QID_PATTERN.fullmatch(qid):
            raise IngestError(nodes_file, f"{qid!r} is not a Wikidata QID", line=line, column="id")
        name = cells[index["name"]].strip()
        if repair_mojibake:
            name = repaired(name)
        else:
            check_no_mojibake(nodes_file, line, "name", name)
        code, country_name = cells[index["countrycd"]].strip(), cells[index["country"]].strip()
        country = resolve_country(code) or resolve_country(country_name)
        longitude = _coordinate_cell(nodes_file, line, cells, index, "lng", 180)
        latitude = _coordinate_cell(nodes_file, line, cells, index, "lat", 90)
        if qid in places:
            raise IngestError(nodes_file, f"node {qid} is listed twice", line=line)
        places[qid] = Place(
            name or None,
            country.iso2 if country else (country_name or None),
            qid,
            latitude,
            longitude,
        )

    gate = RowGate(links_file, skip_invalid)
    parsed = ParsedSource(str(directory), FORMAT, row_count=0)
    partnership = twinning_kind("partnership")
    assert partnership is not None
    link_rows = tsv_rows(files["links.tsv"].text)
    link_header_line, link_header = next(link_rows)
    link_index = _header(links_file, link_header_line, link_header, ("source", "target"))
    seen: dict[frozenset[str], int] = {}
    for line, cells in link_rows:
        parsed.row_count += 1
        raw = "\t".join(cells)
        if len(cells) != len(link_header):
            gate.reject(
                line,
                f"{len(cells)} tab-separated cells, but the header has {len(link_header)} columns",
                raw,
            )
            continue
        source, target = cells[link_index["source"]].strip(), cells[link_index["target"]].strip()
        missing = [q for q in (source, target) if q not in places]
        if missing:
            gate.reject(
                line,
                f"{missing[0]} is not a node in nodes.tsv",
                raw,
                hint="add it to nodes.tsv or remove the link",
            )
            continue
        if source == target:
            gate.reject(line, f"a city cannot be twinned with itself ({source})", raw)
            continue
        pair = frozenset((source, target))
        if pair in seen:
            gate.reject(line, f"duplicate link: repeats line {seen[pair]}", raw)
            continue
        seen[pair] = line
        parsed.twinnings.append(TwinningRecord(places[source], places[target], partnership, line))
    gate.require_some_valid(len(parsed.twinnings))
    linked = {q for pair in seen for q in pair}
    parsed.places = [place for qid, place in places.items() if qid not in linked]
    parsed.rejections = gate.rejections
    return parsed, directory_checksum(files)
