"""Dependency ties (stakes, investments, technology cooperations, control), from the ties CSV.

    kind,subject,subject_type,subject_country,target,target_type,target_country,share,amount,currency,domain,status,since,until,located_in,located_in_country,critical,source
    stake,COSCO,,CN,Duisburg Gateway Terminal,Asset,DE,30,,,,,,,Duisburg,DE,Hafen,IP Special 3/2022
    cooperation,Duisburg,City,DE,Huawei,,CN,,,,smart city,on hold,,,,,,IP Special 3/2022
    control,COSCO,,CN,People's Republic of China,Country,,,,,,,,,,,,IP Special 3/2022

`kind` in English or German. What subject and target are depends on it:

- stake: owner → asset (an Asset, Organisation or Project); `share` in per cent, 0–100.
- investment: investor → what it invests in (a city, a company…); `amount` + `currency`.
- cooperation: the city, region or project → its vendor; `domain` (smart city, 5G, cloud).
  Two places cooperating are a partnership: they belong in a partnerships file.
- control: the controlled company → its controller (a state, typed Country, or a company).

Empty types default to Organisation. A Country's name must name a country (English or
German, "Volksrepublik China"); every other party needs a country. `located_in` and
`critical` (port, energy, water, health, digital, transport; or Hafen, Energie, Wasser,
Gesundheit, Verkehr) describe the row's Asset party, which must be exactly one of the two;
`located_in_country` defaults to the asset's country. `status` takes active, dormant, on hold
(auf Eis, ausgesetzt), ended. `source` is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..graph.records import ActorDetails, ParsedSource, Party, Place, TieRecord
from ..graph.vocab import CRITICAL_SECTORS, TIE_KINDS, tie_kind
from .countries import fold, resolve_country
from .pipeline import IngestSummary, Tracker, ingest_parsed, untracked
from .relation_csv import (
    PARTY_TYPES,
    PLACE_TYPES,
    RelationTable,
    Row,
    RowProblem,
    citation,
    country_of,
    interval,
    money,
    party,
    party_type,
    percent,
    read_table,
    valid_records,
)
from .validate import parse_status

FORMAT = "ties-csv"
REQUIRED = (
    "kind",
    "subject",
    "subject_type",
    "subject_country",
    "target",
    "target_type",
    "target_country",
    "share",
    "amount",
    "currency",
    "domain",
    "status",
    "since",
    "until",
    "located_in",
    "located_in_country",
    "critical",
    "source",
)


def _all_but(*excluded: str) -> tuple[str, ...]:
    return tuple(t for t in PARTY_TYPES if t not in excluded)


# kind → (types the subject may have, types the target may have)
_PARTY_TYPES = {
    "stake": (_all_but("Asset"), ("Asset", "Organisation", "Project")),
    "investment": (_all_but("Asset"), _all_but("Country")),
    "cooperation": (_all_but("Asset", "Country"), _all_but("Country", *PLACE_TYPES)),
    "control": (_all_but("Country", *PLACE_TYPES), _all_but("Asset")),
}
_SHARE_KINDS = ("stake", "control")
_SECTOR_BY_NAME = {fold(sector): sector for sector in CRITICAL_SECTORS} | {
    "hafen": "port",
    "energie": "energy",
    "energieversorgung": "energy",
    "wasser": "water",
    "wasserversorgung": "water",
    "gesundheit": "health",
    "telekommunikation": "digital",
    "informationstechnik": "digital",
    "verkehr": "transport",
}
# Spellings of 'on-hold' that validate.parse_status does not know ("auf Eis": DGAP 2021).
_ON_HOLD = {"on hold", "onhold", "auf eis", "auf eis gelegt", "ausgesetzt", "pausiert", "paused"}


def parse(
    path: Path,
    *,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    skip_invalid: bool = False,
) -> tuple[ParsedSource, str]:
    """Read a ties CSV into tie records and asset details; raise IngestError on a bad row.

    Returns the records and the file's checksum. Touches no store.
    """
    table: RelationTable = read_table(
        path,
        FORMAT,
        REQUIRED,
        encoding=encoding,
        repair_mojibake=repair_mojibake,
        skip_invalid=skip_invalid,
    )
    assets = AssetBook()
    for tie, details in valid_records(table, assets.tie_with_details, _identity):
        table.parsed.ties.append(tie)
        if details is not None:
            assets.add(details, tie.row)
    table.parsed.actors.extend(assets.details())
    return table.finish(len(table.parsed.ties))


def _identity(record: tuple[TieRecord, ActorDetails | None]) -> tuple:
    """What makes two rows state one tie (what graph.relations hashes into its IRI)."""
    tie = record[0]
    return (f"{tie.kind} tie", tie.subject, tie.target, fold(tie.domain or ""))


@dataclass
class _AssetFacts:
    """An asset's location and sector, with the line that first stated each."""

    located_in: Place | None = None
    located_line: int = 0
    critical: str | None = None
    critical_line: int = 0


class AssetBook:
    """What the rows say about each asset: where it is and its sector, the same in every row."""

    def __init__(self) -> None:
        self._facts: dict[Party, _AssetFacts] = {}

    def tie_with_details(self, row: Row) -> tuple[TieRecord, ActorDetails | None]:
        tie = tie_record(row)
        details = asset_details(row.values, tie)
        if details is not None:
            self._check(details)
        return tie, details

    def _check(self, details: ActorDetails) -> None:
        known = self._facts.get(details.actor)
        if known is None:
            return
        if details.located_in and known.located_in and details.located_in != known.located_in:
            raise RowProblem(
                f"line {known.located_line} has {details.actor.name} in "
                f"{known.located_in.describe()}, this row in {details.located_in.describe()}",
                "located_in",
            )
        if details.critical and known.critical and details.critical != known.critical:
            raise RowProblem(
                f"line {known.critical_line} has {details.actor.name} in sector {known.critical}, "
                f"this row in {details.critical}",
                "critical",
            )

    def add(self, details: ActorDetails, line: int) -> None:
        known = self._facts.setdefault(details.actor, _AssetFacts())
        if known.located_in is None and details.located_in is not None:
            known.located_in, known.located_line = details.located_in, line
        if known.critical is None and details.critical is not None:
            known.critical, known.critical_line = details.critical, line

    def details(self) -> list[ActorDetails]:
        return [
            ActorDetails(asset, located_in=facts.located_in, critical=facts.critical)
            for asset, facts in self._facts.items()
        ]


def tie_record(row: Row) -> TieRecord:
    """The tie one row states."""
    values = row.values
    if not values["kind"]:
        raise RowProblem("kind is empty", "kind", hint=_known_kinds())
    kind = tie_kind(values["kind"])
    if kind is None:
        raise RowProblem(f"unknown kind {values['kind']!r}; known kinds: {_known_kinds()}", "kind")
    subject_types, target_types = _PARTY_TYPES[kind.key]
    subject = _party(values, "subject", subject_types)
    target = _party(values, "target", target_types)
    if subject == target:
        raise RowProblem(f"subject and target are the same ({subject.describe()})", "target")
    share = percent(values["share"], "share") if values["share"] else None
    if share is not None and kind.key not in _SHARE_KINDS:
        raise RowProblem(
            f"share is for ownership stakes and control, not for a {kind.label_en}", "share"
        )
    amount, currency = money(values)
    since, until = interval(values)
    status = tie_status(values["status"]) if values["status"] else None
    if status == "active" and until is not None and until.earliest() < date.today():
        raise RowProblem(f"status is 'active' but the tie ended (until {until})", "status")
    return TieRecord(
        kind.key,
        subject,
        target,
        row.line,
        share=share,
        amount=amount,
        currency=currency,
        domain=values["domain"] or None,
        status=status,
        since=since,
        until=until,
        citation=citation(values),
    )


def _party(values: dict[str, str], role: str, allowed: tuple[str, ...]) -> Party:
    name = values[role]
    if not name:
        raise RowProblem(f"{role} is empty", role)
    typed = values[f"{role}_type"]
    entity_type = party_type(typed or "Organisation", f"{role}_type", allowed)
    if not typed and resolve_country(name) is not None:
        # A state left at the default type would become a company named "China".
        raise RowProblem(
            f"{name!r} is a country, but {role}_type is empty (Organisation)",
            f"{role}_type",
            hint=f"set {role}_type to Country",
        )
    return party(name, entity_type, values[f"{role}_country"], role, f"{role}_country")


def asset_details(values: dict[str, str], tie: TieRecord) -> ActorDetails | None:
    """Where the row's asset is and its critical sector, or None if the row says neither."""
    if not (values["located_in"] or values["located_in_country"] or values["critical"]):
        return None
    column = "located_in" if values["located_in"] or values["located_in_country"] else "critical"
    assets = [p for p in (tie.subject, tie.target) if p.entity_type == "Asset"]
    if not assets:
        raise RowProblem(
            f"{column} describes the row's asset, but neither subject_type nor target_type "
            "is Asset",
            column,
            hint="type the asset's party Asset, or leave located_in and critical empty",
        )
    if len(assets) > 1:
        raise RowProblem(f"both parties are assets; {column} cannot tell which it describes")
    asset = assets[0]
    located_in = None
    if values["located_in"]:
        # The asset's own country is already checked (party()); it is an ISO code.
        country = values["located_in_country"] or asset.country
        located_in = Place(values["located_in"], country_of(country, "located_in_country").iso2)
    elif values["located_in_country"]:
        raise RowProblem("located_in_country is given, but located_in is empty", "located_in")
    critical = critical_sector(values["critical"]) if values["critical"] else None
    return ActorDetails(asset, located_in=located_in, critical=critical)


def critical_sector(text: str) -> str:
    sector = _SECTOR_BY_NAME.get(fold(text))
    if sector is None:
        raise RowProblem(
            f"unknown critical sector {text!r}; known: {', '.join(CRITICAL_SECTORS)} "
            "(German: Hafen, Energie, Wasser, Gesundheit, Verkehr)",
            "critical",
        )
    return sector


def tie_status(text: str) -> str:
    """active, dormant, on-hold or ended, from English or German words."""
    if " ".join(fold(text).replace("-", " ").replace("_", " ").split()) in _ON_HOLD:
        return "on-hold"
    try:
        return parse_status(text)
    except ValueError as error:
        raise RowProblem(str(error), "status") from None


def _known_kinds() -> str:
    return ", ".join(f"{k.label_en} ({k.label_de})" for k in TIE_KINDS)


def ingest_ties(
    path: str | Path,
    *,
    store: str | Path | None = None,
    source_name: str | None = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    repair_mojibake: bool = False,
    retrieved: date | None = None,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> IngestSummary:
    """Ingest a ties CSV into the store (all or nothing); re-ingesting it adds nothing.

    Example
    -------
    >>> ingest_ties("data/ties.csv", store="/tmp/demo")  # doctest: +SKIP
    """
    path = Path(path)
    parsed, checksum = parse(
        path, encoding=encoding, repair_mojibake=repair_mojibake, skip_invalid=skip_invalid
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
