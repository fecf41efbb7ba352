"""`citydiplo exposure`: which cities are most exposed to a third country, and through what."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..graph.store import open_store
from ..mirror.backend import exposure_in_neo4j
from ..queries.exposure import DEFAULT_WEIGHTS, CityExposure, exposure_to, weights_from_toml
from ..views.tabular import OutputFormat, print_rows
from .neo4j import Backend, BackendOption, neo4j_session
from .options import FormatOption, StoreOption, err

RANKING_COLUMNS = ("rank", "city", "country", "score", "channels")
CHANNEL_COLUMNS = ("channel", "kind", "via", "weight", "evidence", "source")


def exposure(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The third country: English or German name, or ISO code (China, CN, CHN)."
        ),
    ],
    city: Annotated[
        str | None,
        typer.Option(help="One city or region: every channel with its evidence and source."),
    ] = None,
    country_of_cities: Annotated[
        str | None,
        typer.Option(help="Rank only the cities of this country [default: all outside --to]."),
    ] = None,
    weights: Annotated[
        Path | None,
        typer.Option(
            help="TOML file of weights, shaped like data/exposure_weights.toml.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    top: Annotated[int | None, typer.Option(min=1, help="Show the N most exposed.")] = None,
    store: StoreOption = None,
    backend: BackendOption = Backend.embedded,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Which cities are most exposed to a country, and through what: twinnings, networks the
    country leads, stakes, investments and technology cooperation, and the state behind them.

    Each channel weighs base × status × critical (data/exposure_weights.toml); a city's score
    is the sum. JSON gives every channel with its evidence and sources.

    Example: citydiplo exposure --to China --country-of-cities DE
    """
    chosen = DEFAULT_WEIGHTS
    if weights is not None:
        chosen = weights_from_toml(weights.read_bytes(), origin=str(weights))
    question = {"city": city, "cities_in": country_of_cities, "weights": chosen}
    if backend is Backend.neo4j:
        with neo4j_session() as (driver, settings):
            answer = exposure_in_neo4j(driver, settings, to, **question)
    else:
        with open_store(store) as graph_store:
            answer = exposure_to(graph_store, to, **question)
    answer.cities = answer.cities[:top]
    if format is OutputFormat.json:
        print_rows(answer.as_list(), format)
    elif city is not None:
        (one,) = answer.cities
        if not one.channels:
            err.print(
                f"{one.city} has no channel to {answer.country} in the graph (score 0).",
                markup=False,
            )
        title = f"{one.city}: exposure to {answer.country}, score {one.score:g}"
        title += f", rank {one.rank}" if one.rank is not None else ""
        print_rows(_channel_rows(one), format, title=title, columns=CHANNEL_COLUMNS)
    else:
        if not answer.cities:
            err.print(f"No city in the graph has a channel to {answer.country}.", markup=False)
        title = f"Exposure to {answer.country} (score: sum of channel weights)"
        rows = [_ranking_row(exposure) for exposure in answer.cities]
        print_rows(rows, format, title=title, columns=RANKING_COLUMNS)


def _ranking_row(exposure: CityExposure) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for channel in exposure.channels:
        counts[channel.channel] = counts.get(channel.channel, 0) + 1
    summary = ", ".join(
        f"{counts[group]} {_plural(group, counts[group])} ({weight:g})"
        for group, weight in exposure.breakdown.items()
    )
    return {
        "rank": exposure.rank,
        "city": exposure.city,
        "country": exposure.country,
        "score": exposure.score,
        "channels": summary,
    }


def _plural(group: str, count: int) -> str:
    word = "control tie" if group == "control" else group
    return word if count == 1 else f"{word}s"


def _channel_rows(exposure: CityExposure) -> list[dict[str, Any]]:
    return [
        {column: getattr(channel, column) for column in CHANNEL_COLUMNS}
        for channel in exposure.channels
    ]
