"""Checks every twinning must pass, whichever format it came from."""

from __future__ import annotations

import re
from datetime import date

from ..errors import IngestError
from ..graph.records import PartialDate, Rejection, TwinningRecord
from ..graph.vocab import STATUSES

EARLIEST_YEAR = 800
# A twinning may be decided for next year; anything later is a typo (3024 for 2024).
LATEST_YEAR_AHEAD = 1
# Wikidata time precisions; 12 and finer are times of day, which a twinning date ignores.
YEAR, MONTH, DAY = 9, 10, 11
_WIKIDATA_TIME = re.compile(r"([+-]?\d+)-(\d{2})-(\d{2})")


def parse_date(text: str, what: str) -> PartialDate:
    """A since/until value; ValueError names the field and what is wrong."""
    try:
        value = PartialDate.parse(text)
    except ValueError as error:
        raise ValueError(f"{what}: {error}") from None
    latest = date.today().year + LATEST_YEAR_AHEAD
    if value.year > latest:
        raise ValueError(f"{what} year {value.year} is in the future (latest allowed: {latest})")
    if value.year < EARLIEST_YEAR:
        raise ValueError(f"{what} year {value.year} is before {EARLIEST_YEAR}")
    return value


def parse_status(text: str) -> str:
    status = text.strip().casefold()
    german = {"aktiv": "active", "ruhend": "dormant", "beendet": "ended"}
    status = german.get(status, status)
    if status not in STATUSES:
        raise ValueError(f"unknown status {text!r} (use one of: {', '.join(STATUSES)})")
    return status


def twinning_problem(record: TwinningRecord) -> str | None:
    """What is wrong with a twinning as a whole, or None."""
    a, b = record.partner_a, record.partner_b
    same_qid = a.qid is not None and a.qid == b.qid
    same_name = a.qid is None and b.qid is None and a.name == b.name and a.country == b.country
    if same_qid or same_name:
        return f"a city cannot be twinned with itself ({a.describe()})"
    if record.since and record.until and record.until < record.since:
        return f"since {record.since} is after until {record.until}"
    if record.status == "active" and record.until and record.until.earliest() < date.today():
        return f"status is 'active' but the twinning ended (until {record.until})"
    return None


class RowGate:
    """Where a bad row goes: an IngestError, or with --skip-invalid, the rejection report."""

    def __init__(self, file: str, skip_invalid: bool) -> None:
        self.file = file
        self.skip_invalid = skip_invalid
        self.rejections: list[Rejection] = []

    def reject(
        self,
        line: int,
        reason: str,
        content: str,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        if not self.skip_invalid:
            raise IngestError(self.file, reason, line=line, column=column, hint=hint)
        where = f"column {column}: " if column else ""
        self.rejections.append(Rejection(line, where + reason, content))

    def require_some_valid(self, accepted: int) -> None:
        """Refuse a file none of whose rows is valid, even with --skip-invalid.

        Ingesting nothing would record an empty version of the source, replacing a good one.
        """
        if accepted == 0 and self.rejections:
            first = self.rejections[0]
            raise IngestError(
                self.file,
                f"none of the {len(self.rejections)} rows is valid; the first: {first.reason}",
                line=first.line,
                hint="is this the right file and --format?",
            )


def time_at_precision(text: str, precision: int) -> str | None:
    """A Wikidata time cut to its precision: ('+1995-02-18T00:00:00Z', 9) -> '1995'.

    None when the precision is coarser than a year (a decade, a century): such a date says
    too little to be a twinning's start or end. ValueError for what is not a Wikidata time.
    """
    match = _WIKIDATA_TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a Wikidata time like +1995-02-18T00:00:00Z")
    if precision < YEAR:
        return None
    year, month, day = match.groups()
    return "-".join((year.lstrip("+"), month, day)[: min(precision, DAY) - YEAR + 1])
