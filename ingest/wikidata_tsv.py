"""Wikidata P190 QID pairs with a labels file (the 2016 sister-cities crawl).

    relations.tsv: Q3955<TAB>Q160927      (one directed P190 statement a line, no header)
    names.tsv:     Q3955<TAB>Weimar       (one label a QID, no header)

P190 is stated from both sides, so most pairs appear twice, and a crawl can repeat a line:
both fold into one twinning that keeps every line it came from as provenance.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import IngestError
from ..graph.records import ParsedSource, Place, TwinningRecord
from ..graph.vocab import QID_PATTERN, twinning_kind
from .text import check_no_mojibake, directory_checksum, read_text, repaired, tsv_rows
from .validate import RowGate

FORMAT = "wikidata-p190-tsv"
FILES = ("relations.tsv", "names.tsv")


def looks_like(directory: Path) -> bool:
    return all((directory / name).is_file() for name in FILES)


def parse(
    directory: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read the two files; returns the records and one checksum over both files."""
    files = {name: read_text(directory / name, encoding) for name in FILES}
    names_file = str(directory / "names.tsv")
    labels: dict[str, str] = {}
    for line, cells in tsv_rows(files["names.tsv"].text):
        if len(cells) != 2:
            raise IngestError(
                names_file,
                f"expected 2 tab-separated cells (QID<TAB>label), found {len(cells)}",
                line=line,
            )
        if not QID_PATTERN.fullmatch(cells[0].strip()):
            raise IngestError(
                names_file, f"{cells[0].strip()!r} is not a Wikidata QID", line=line, column=1
            )
        label = cells[1].strip()
        if repair_mojibake:
            label = repaired(label)
        else:
            check_no_mojibake(names_file, line, "2", label)
        labels[cells[0].strip()] = label

    relations_file = str(directory / "relations.tsv")
    gate = RowGate(relations_file, skip_invalid)
    parsed = ParsedSource(str(directory), FORMAT, row_count=0)
    partnership = twinning_kind("partnership")
    assert partnership is not None
    places: dict[str, Place] = {}
    seen_lines: set[tuple[str, str]] = set()
    repeated = 0
    for line, cells in tsv_rows(files["relations.tsv"].text):
        parsed.row_count += 1
        qids = [cell.strip() for cell in cells]
        if len(qids) != 2:
            gate.reject(
                line, f"expected 2 tab-separated QIDs, found {len(qids)} cells", "\t".join(cells)
            )
            continue
        bad = [n for n, q in enumerate(qids, start=1) if not QID_PATTERN.fullmatch(q)]
        if bad:
            gate.reject(
                line,
                f"{qids[bad[0] - 1]!r} is not a Wikidata QID (Q followed by digits)",
                "\t".join(cells),
                column=str(bad[0]),
            )
            continue
        if qids[0] == qids[1]:
            gate.reject(line, f"a city cannot be twinned with itself ({qids[0]})", "\t".join(cells))
            continue
        if (qids[0], qids[1]) in seen_lines:
            repeated += 1
        seen_lines.add((qids[0], qids[1]))
        a, b = (places.setdefault(q, Place(labels.get(q), qid=q)) for q in qids)
        parsed.twinnings.append(TwinningRecord(a, b, partnership, line))
    if parsed.row_count == 0:
        raise IngestError(relations_file, "the file has no pairs")
    gate.require_some_valid(len(parsed.twinnings))
    unordered = {frozenset(pair) for pair in seen_lines}
    parsed.notes.append(
        f"{len(seen_lines) - len(unordered)} pairs are stated from both sides and {repeated} "
        f"lines repeat an earlier line: {len(unordered)} distinct twinnings"
    )
    unlabelled = sum(1 for q in places if q not in labels)
    if unlabelled:
        parsed.notes.append(f"{unlabelled} QIDs have no label in names.tsv")
    parsed.rejections = gate.rejections
    return parsed, directory_checksum(files)
