"""Reading input files as text, refusing what is not text with a reason a user can act on."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ftfy

from ..errors import IngestError

# Control characters other than tab, newline and carriage return do not occur in text files.
_CONTROL_CODES = frozenset(range(0, 9)) | frozenset(range(14, 32))
# Byte-order marks of UTF-16 and UTF-32 (spreadsheets' "Unicode text" export).
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


@dataclass(frozen=True)
class TextFile:
    """A file's decoded text and the checksum of its bytes (what provenance records)."""

    path: Path
    text: str
    sha256: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_text(path: Path, encoding: str = "utf-8") -> TextFile:
    """Decode a file, raising IngestError for empty, binary or wrongly encoded files.

    A UTF-8 byte-order mark is accepted and dropped.
    """
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(shown, "no such file") from None
    except IsADirectoryError:
        raise IngestError(shown, "is a directory, not a file") from None
    except OSError as error:
        raise IngestError(shown, f"cannot be read: {error.strerror}") from None
    if not data:
        raise IngestError(shown, "the file is empty (0 bytes)")
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise IngestError(
            shown, f"unknown encoding {encoding!r}", hint="try utf-8, cp1252 or latin-1"
        ) from None
    if codec == "utf-8":
        codec = "utf-8-sig"
    # UTF-16 and UTF-32 text is full of NUL bytes, so it is judged after decoding.
    wide = codec.startswith(("utf-16", "utf-32"))
    if not wide:
        if codec == "utf-8-sig" and data.startswith(_WIDE_BOMS):
            raise IngestError(
                shown,
                "the file is UTF-16 or UTF-32 text, not UTF-8",
                hint="re-save it as UTF-8, or pass --encoding utf-16",
            )
        _refuse_binary(shown, data[:8192])
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        if wide:
            raise IngestError(
                shown, f"the file is not valid {encoding}", hint="check --encoding"
            ) from None
        raise IngestError(
            shown,
            f"byte 0x{data[error.start]:02x} is not valid {encoding}",
            line=_line_of_offset(data, error.start),
            hint="the file is probably Latin-1 or Windows-1252: re-save it as UTF-8, "
            "or pass --encoding cp1252"
            if codec == "utf-8-sig"
            else "check --encoding",
        ) from None
    if wide:
        _refuse_binary(shown, text[:8192])
    if not text.lstrip("\ufeff").strip():
        raise IngestError(shown, "the file is empty: it holds only blank lines")
    return TextFile(path, text, sha256_of(data))


def _refuse_binary(shown: str, sample: bytes | str) -> None:
    codes = list(sample) if isinstance(sample, bytes) else [ord(c) for c in sample]
    controls = sum(1 for code in codes if code in _CONTROL_CODES)
    if 0 in codes or controls > len(codes) // 100:
        raise IngestError(
            shown, "this is a binary file, not text", hint="expected CSV, TSV or JSON text"
        )


def repaired(value: str) -> str:
    """The text with mojibake undone ('CÃ¡ceres' -> 'Cáceres'); other characters untouched."""
    # ASCII cannot be mojibake, and most names are ASCII: skip ftfy's analysis for them.
    return value if value.isascii() else ftfy.fix_encoding(value)


def check_no_mojibake(file: str, line: int, column: str, value: str) -> None:
    """Raise IngestError if a cell holds UTF-8 that was once decoded as Latin-1."""
    fixed = repaired(value)
    if fixed != value:
        raise IngestError(
            file,
            f"{value!r} looks like mojibake (UTF-8 read as Latin-1), probably {fixed!r}",
            line=line,
            column=column,
            hint="re-export the file as UTF-8, or pass --repair-mojibake to repair such cells",
        )


def sniff_delimiter(header_line: str, candidates: str = ",;\t") -> str:
    """The delimiter the header uses most: ',' ';' or tab."""
    return max(candidates, key=header_line.count)


def csv_rows(text: str, delimiter: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line number each starts on (quoted cells may span lines).

    A row the csv module cannot read raises IngestError naming the line the row starts on:
    an unclosed quote swallows the rest of the file, so that is where the mistake is.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise IngestError(
                file,
                f"not readable as CSV: {error}",
                line=line,
                hint="a cell that starts with a quote must end with one; write a quote inside "
                'a quoted cell as ""',
            ) from None
        yield line, row
        line = reader.line_num + 1


def tsv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines split on tabs, with their line numbers (these TSVs use no quoting)."""
    for line_number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if line.strip():
            yield line_number, line.split("\t")


def directory_checksum(files: dict[str, TextFile]) -> str:
    """One checksum for a data set made of several files."""
    return sha256_of("".join(f"{name}:{f.sha256}\n" for name, f in sorted(files.items())).encode())


def read_json(file: str, text: str) -> Any:
    """The parsed JSON text; IngestError with line and column where it stops being JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        # A download cut short ends the text mid-value: at its very end or inside a string.
        cut_short = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated")
        raise IngestError(
            file,
            f"not valid JSON: {error.msg}",
            line=error.lineno,
            column=error.colno,
            hint="the file ends too early, probably an interrupted download: download it again"
            if cut_short
            else None,
        ) from None
