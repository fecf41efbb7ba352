"""Reading input files as text, refusing what is not text with a reason a user can act on."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ftfy

from ..errors import IngestError

# Control characters other than tab, newline and carriage return do not occur in text files.
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


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
    if not data.strip():
        raise IngestError(shown, "the file is empty")
    sample = data[:8192]
    if b"\x00" in sample or sum(byte in _CONTROL_BYTES for byte in sample) > len(sample) // 100:
        raise IngestError(
            shown, "this is a binary file, not text", hint="expected CSV, TSV or JSON text"
        )
    codec = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        raise IngestError(
            shown,
            f"byte 0x{data[error.start]:02x} is not valid {encoding}",
            line=line,
            hint="the file is probably Latin-1 or Windows-1252: re-save it as UTF-8, "
            "or pass --encoding cp1252",
        ) from None
    except LookupError:
        raise IngestError(shown, f"unknown encoding {encoding!r}") from None
    return TextFile(path, text, sha256_of(data))


def repaired(value: str) -> str:
    """The text with mojibake undone ('CÃ¡ceres' -> 'Cáceres'); other characters untouched."""
    return ftfy.fix_encoding(value)


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


def csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line number each starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
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
