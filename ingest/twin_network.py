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


def _header(file: str, cells: list[str], required: tuple[str, ...]) -> dict[str, int]:
    columns = [c.strip().casefold() for c in cells]
    missing = [c for c in required if c not in columns]
    if missing:
        raise IngestError(
            file,
            f"missing column(s): {', '.join(missing)}",
            line=1,
            hint=f"expected a header with {', '.join(required)}",
        )
    return {name: columns.index(name) for name in columns}


def _coordinate(text: str, low: float, high: float) -> float | None:
    if not text.strip():
        return None
    value = float(text)
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}..{high}")
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
    _, header = next(node_rows)
    index = _header(nodes_file, header, NODE_COLUMNS)
    places: dict[str, Place] = {}
    for line, cells in node_rows:
        if len(cells) != len(index):
            raise IngestError(
                nodes_file, f"{len(cells)} cells, but the header has {len(index)}", line=line
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
        try:
            longitude = _coordinate(cells[index["lng"]], -180, 180)
            latitude = _coordinate(cells[index["lat"]], -90, 90)
        except ValueError as error:
            raise IngestError(nodes_file, f"bad coordinate: {error}", line=line) from None
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
    _, link_header = next(link_rows)
    link_index = _header(links_file, link_header, ("source", "target"))
    seen: dict[frozenset[str], int] = {}
    for line, cells in link_rows:
        parsed.row_count += 1
        raw = "\t".join(cells)
        if len(cells) != len(link_index):
            gate.reject(line, f"{len(cells)} cells, but the header has {len(link_index)}", raw)
            continue
        source, target = cells[link_index["source"]].strip(), cells[link_index["target"]].strip()
        missing = [q for q in (source, target) if q not in places]
        if missing:
            gate.reject(line, f"{missing[0]} is not a node in nodes.tsv", raw)
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
    linked = {q for pair in seen for q in pair}
    parsed.places = [place for qid, place in places.items() if qid not in linked]
    parsed.rejections = gate.rejections
    return parsed, directory_checksum(files)
