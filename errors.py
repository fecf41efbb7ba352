"""Errors a user can act on: raised low, reported once at the CLI, with exit status 2."""

from __future__ import annotations


class CitydiploError(Exception):
    """Base class: the message is a complete sentence for the user."""


class IngestError(CitydiploError):
    """An input file is malformed. Names the file, the line or row, the column and the problem."""

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        line: int | None = None,
        column: str | int | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        self.hint = hint
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        message = f"{where}: {reason}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class StoreError(CitydiploError):
    """The store cannot be opened or written."""


class StoreLocked(StoreError):
    """Another process holds the store for writing."""


class QueryError(CitydiploError):
    """A query is malformed or names something the graph does not have."""
