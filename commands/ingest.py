"""`citydiplo ingest …`: one command per kind of source, each a call to its ingester."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..ingest.contacts import ingest_contacts
from ..ingest.memberships import ingest_memberships
from ..ingest.partnerships import FORMATS, ingest_partnerships
from ..ingest.sparql_results import WIKIDATA_QUERY_SERVICE, fetch_wikidata_p190
from ..ingest.ties import ingest_ties
from .options import (
    EncodingOption,
    RepairOption,
    ReportsOption,
    SkipInvalidOption,
    SourceNameOption,
    StoreOption,
    err,
    print_summary,
    tracker,
)

app = typer.Typer(help="Add a source to the graph.", no_args_is_help=True)

PartnershipFormat = Enum("PartnershipFormat", {name: name for name in FORMATS}, type=str)


class MembershipFormat(str, Enum):
    list = "list"
    wide = "wide"


@app.command("partnerships")
def partnerships(
    path: Annotated[Path, typer.Argument(help="A file or a data-set directory.")],
    store: StoreOption = None,
    format: Annotated[
        PartnershipFormat | None,
        typer.Option("--format", help="Input format [default: detected]."),
    ] = None,
    source_name: SourceNameOption = None,
    skip_invalid: SkipInvalidOption = False,
    encoding: EncodingOption = "utf-8",
    repair_mojibake: RepairOption = False,
    reports: ReportsOption = Path("."),
    live: Annotated[
        bool,
        typer.Option(
            help="Run the Wikidata P190 query at the Wikidata Query Service first, "
            "save its answer to PATH and ingest that (as sparql-json)."
        ),
    ] = False,
) -> None:
    """Ingest twinnings: citydiplo CSV, Wikidata P190 TSVs, a nodes/links network,
    SPARQL JSON results or Wikidata entity JSON.

    Example: citydiplo ingest partnerships ../shared/data/twin-cities-2026
    Example: citydiplo ingest partnerships wikidata-p190.json --live
    """
    if live:
        err.print(f"Asking {WIKIDATA_QUERY_SERVICE} for every P190 statement (about a minute)…")
        fetch_wikidata_p190(path)
    print_summary(
        ingest_partnerships(
            path,
            store=store,
            format="sparql-json" if live else (format.value if format else None),
            source_name=source_name,
            skip_invalid=skip_invalid,
            encoding=encoding,
            repair_mojibake=repair_mojibake,
            report_dir=reports,
            track=tracker(),
        )
    )


@app.command("memberships")
def memberships(
    path: Annotated[Path, typer.Argument(help="A membership list or a wide 0/1 table.")],
    store: StoreOption = None,
    format: Annotated[
        MembershipFormat | None,
        typer.Option("--format", help="list or wide [default: detected from the header]."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="column,network,year CSV mapping a wide table's columns to networks."),
    ] = None,
    source_name: SourceNameOption = None,
    skip_invalid: SkipInvalidOption = False,
    encoding: EncodingOption = "utf-8",
    repair_mojibake: RepairOption = False,
    reports: ReportsOption = Path("."),
) -> None:
    """Ingest memberships in city networks: a list (network,city,country,role,since,until,
    source) or a wide 0/1 table such as ClimActor's.

    Example: citydiplo ingest memberships climactor.csv --format wide
    """
    print_summary(
        ingest_memberships(
            path,
            store=store,
            format=format.value if format else None,
            mapping=mapping,
            source_name=source_name,
            skip_invalid=skip_invalid,
            encoding=encoding,
            repair_mojibake=repair_mojibake,
            report_dir=reports,
            track=tracker(),
        )
    )


@app.command("contacts")
def contacts(
    path: Annotated[Path, typer.Argument(help="A contacts CSV.")],
    store: StoreOption = None,
    source_name: SourceNameOption = None,
    skip_invalid: SkipInvalidOption = False,
    encoding: EncodingOption = "utf-8",
    repair_mojibake: RepairOption = False,
    reports: ReportsOption = Path("."),
) -> None:
    """Ingest contacts with the federal level: funding, contact points, coordination rounds,
    consultations, representation, delegations and visits, direct or via an association.

    Example: citydiplo ingest contacts contacts.csv
    """
    print_summary(
        ingest_contacts(
            path,
            store=store,
            source_name=source_name,
            skip_invalid=skip_invalid,
            encoding=encoding,
            repair_mojibake=repair_mojibake,
            report_dir=reports,
            track=tracker(),
        )
    )


@app.command("ties")
def ties(
    path: Annotated[Path, typer.Argument(help="A ties CSV.")],
    store: StoreOption = None,
    source_name: SourceNameOption = None,
    skip_invalid: SkipInvalidOption = False,
    encoding: EncodingOption = "utf-8",
    repair_mojibake: RepairOption = False,
    reports: ReportsOption = Path("."),
) -> None:
    """Ingest dependency ties: ownership stakes, investments, technology cooperations and
    control, with the assets' location and critical sector.

    Example: citydiplo ingest ties ties.csv
    """
    print_summary(
        ingest_ties(
            path,
            store=store,
            source_name=source_name,
            skip_invalid=skip_invalid,
            encoding=encoding,
            repair_mojibake=repair_mojibake,
            report_dir=reports,
            track=tracker(),
        )
    )
