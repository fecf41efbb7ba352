"""`citydiplo view …`: a network view as one self-contained HTML file, to open offline."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..graph.store import DEFAULT_STORE_DIR, open_store
from ..queries.centrality import METRICS
from ..views.build import (
    ViewOptions,
    countries_view,
    ego_view,
    exposure_view,
    path_view,
    whole_view,
)
from ..views.html import RENDERERS, write_view
from ..views.page import Page
from ..views.style import COLOR_BY
from .options import AsOfOption, LayersOption, StoreOption, chosen_layers

app = typer.Typer(
    help="Write a network view as one HTML file that opens offline: search, filters by "
    "relation kind, a year slider, the source of every relation.",
    no_args_is_help=True,
)

SizeBy = Enum("SizeBy", {name: name for name in METRICS}, type=str)
ColorBy = Enum("ColorBy", {name: name for name in COLOR_BY}, type=str)

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", dir_okay=False, help="The HTML file [default: VIEW.html]."),
]
CountryOption = Annotated[
    str | None,
    typer.Option(help="Only relations with a party in this country (ISO code, e.g. DE)."),
]
SizeByOption = Annotated[
    SizeBy, typer.Option("--size-by", help="The centrality that sizes the entities.")
]
ColorByOption = Annotated[ColorBy, typer.Option("--color-by", help="What colours the entities.")]
Renderer = Enum("Renderer", {name: name for name in RENDERERS}, type=str)
RendererOption = Annotated[
    Renderer,
    typer.Option(
        "--renderer",
        help="What draws the network: vis-network (canvas; redraws faster without a GPU) or "
        "sigma.js (WebGL; draws large graphs first sooner, redraws fast with a GPU).",
    ),
]


def _options(
    store: str | None,
    layers: list[str] | None,
    as_of: int | None,
    country: str | None,
    size_by: SizeBy,
    color_by: ColorBy,
) -> ViewOptions:
    return ViewOptions(
        store=_location(store),
        layers=chosen_layers(layers),
        as_of=as_of,
        country=country,
        size_by=size_by.value,
        color_by=color_by.value,
    )


def _location(store: str | None) -> str:
    """Where the view was drawn from, for its caption: the store folder, or the endpoint
    (without its #options, which may name the update endpoint)."""
    location = store or DEFAULT_STORE_DIR
    return location.split("#")[0] if "://" in location else str(Path(location).resolve())


def _write(page: Page, output: Path | None, default: str, renderer: Renderer) -> None:
    path = output or Path(f"{default}.html")
    write_view(page, path, renderer.value)
    counts = page.meta["counts"]
    drawn_with = "WebGL" if renderer.value == "webgl" else "vis-network"
    print(
        f"{path}: {counts['nodes']} entities, {counts['edges']} relations, drawn with {drawn_with}."
    )


def whole(
    output: OutputOption = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: CountryOption = None,
    size_by: SizeByOption = SizeBy.degree,
    color_by: ColorByOption = ColorBy.type,
    renderer: RendererOption = Renderer.vis,
    store: StoreOption = None,
) -> None:
    """The whole network: every entity with a relation in the layers chosen.

    Example: citydiplo view whole --layers twinning --color-by community -o twinnings.html
    """
    options = _options(store, layers, as_of, country, size_by, color_by)
    with open_store(store) as graph_store:
        page = whole_view(graph_store, options)
    _write(page, output, "whole", renderer)


def ego(
    city: Annotated[str, typer.Argument(help="The centre: a name, a variant or an IRI.")],
    hops: Annotated[int, typer.Option("--hops", "-k", min=1, help="How many relations away.")] = 1,
    output: OutputOption = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: CountryOption = None,
    size_by: SizeByOption = SizeBy.degree,
    color_by: ColorByOption = ColorBy.type,
    renderer: RendererOption = Renderer.vis,
    store: StoreOption = None,
) -> None:
    """A city's neighbourhood: the entities within --hops relations, on rings around it.

    Example: citydiplo view ego Dortmund --hops 2 -o dortmund.html
    """
    options = _options(store, layers, as_of, country, size_by, color_by)
    with open_store(store) as graph_store:
        page = ego_view(graph_store, city, hops, options)
    _write(page, output, "ego", renderer)


def path(
    source: Annotated[str, typer.Argument(help="Where to start: a name, a variant or an IRI.")],
    target: Annotated[str, typer.Argument(help="Where to arrive: a name, a variant or an IRI.")],
    output: OutputOption = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: CountryOption = None,
    size_by: SizeByOption = SizeBy.degree,
    color_by: ColorByOption = ColorBy.type,
    renderer: RendererOption = Renderer.vis,
    store: StoreOption = None,
) -> None:
    """Every shortest path from A to B, left to right, each relation with its source.

    Example: citydiplo view path Dortmund "Auswärtiges Amt" -o path.html
    """
    options = _options(store, layers, as_of, country, size_by, color_by)
    with open_store(store) as graph_store:
        page = path_view(graph_store, source, target, options)
    _write(page, output, "path", renderer)


def exposure(
    city: Annotated[str, typer.Argument(help="The city or region: a name or an IRI.")],
    to: Annotated[str, typer.Option("--to", help="The third country: name or ISO code.")],
    output: OutputOption = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: CountryOption = None,
    size_by: SizeByOption = SizeBy.degree,
    color_by: ColorByOption = ColorBy.type,
    renderer: RendererOption = Renderer.vis,
    store: StoreOption = None,
) -> None:
    """A city's channels to a country (as `citydiplo exposure --city`): twinnings, networks,
    stakes, investments, cooperation, and the control ties to the state behind them.

    Example: citydiplo view exposure Duisburg --to China -o duisburg-china.html
    """
    options = _options(store, layers, as_of, country, size_by, color_by)
    with open_store(store) as graph_store:
        page = exposure_view(graph_store, city, to, options)
    _write(page, output, "exposure", renderer)


def countries(
    output: OutputOption = None,
    layers: LayersOption = None,
    as_of: AsOfOption = None,
    country: CountryOption = None,
    size_by: SizeByOption = SizeBy.degree,
    color_by: ColorByOption = ColorBy.type,
    renderer: RendererOption = Renderer.vis,
    store: StoreOption = None,
) -> None:
    """The network of countries: one edge per pair of countries and kind of relation,
    as wide as the relations it stands for.

    Example: citydiplo view countries --layers twinning -o countries.html
    """
    options = _options(store, layers, as_of, country, size_by, color_by)
    with open_store(store) as graph_store:
        page = countries_view(graph_store, options)
    _write(page, output, "countries", renderer)


for command in (whole, ego, path, exposure, countries):
    app.command()(command)
