"""The whole 10,000-city Wikidata 2016 twinning graph as one HTML view, in a real browser:
it opens, draws every city, stays offline and can be searched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citydiplo.graph.projection import ProjectionOptions, project
from citydiplo.graph.store import open_store
from citydiplo.queries import subgraphs

from conftest import WIKIDATA_2016, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def wikidata_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("views-scale") / "store"
    result = run_cli("ingest", "partnerships", WIKIDATA_2016, "--store", store)
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="module", params=["webgl", "vis"])
def wikidata_view(request: pytest.FixtureRequest, wikidata_store: Path) -> tuple[Path, Path, str]:
    output = wikidata_store.parent / f"wikidata-2016-{request.param}.html"
    result = run_cli(
        "view", "whole", "--store", wikidata_store, "-o", output, "--renderer", request.param
    )
    assert result.returncode == 0, result.stderr
    return wikidata_store, output, request.param


def test_whole_wikidata_graph_opens_offline_with_every_city(wikidata_view, browser):
    store, output, renderer = wikidata_view
    with open_store(store) as graph_store:
        drawn = subgraphs.whole(project(graph_store, ProjectionOptions()))
    page = browser.open(output)
    view = page.view()
    assert view["renderer"] == renderer
    assert (view["nodes"], view["edges"]) == (drawn.number_of_nodes(), drawn.number_of_edges())
    assert view["nodes"] > 10_000 - 100
    assert page.console_errors == [] and page.page_errors == [] and page.requests == []
    page.screenshot(f"view-wikidata-2016-whole-{renderer}.png")


def test_whole_wikidata_graph_finds_dortmund_and_its_partners(wikidata_view, browser):
    *_, renderer = wikidata_view
    page = browser.open(wikidata_view[1])
    page.page.fill("#search", "Dortmund")
    page.page.press("#search", "Enter")
    assert page.view("citydiploView.selected.label") == "Dortmund"
    assert "twinning (partnership) with" in page.page.inner_text("#details-relations")
    assert page.console_errors == [] and page.page_errors == []
    page.screenshot(f"view-wikidata-2016-dortmund-{renderer}.png")


def test_wikidata_2016_has_no_dates_so_the_year_slider_says_so(wikidata_view, browser):
    # The 2016 dump states no start or end times: every twinning is shown in every year.
    page = browser.open(wikidata_view[1])
    assert page.page.is_disabled("#year")
    assert "no dates" in page.page.inner_text("label[for=year]")


def test_a_city_named_like_html_among_10k_cities_stays_text_in_webgl(
    wikidata_store, browser, tmp_path
):
    # The 2016 snapshot plus one twinning with a city whose name is markup, drawn with WebGL.
    extra = tmp_path / "xss.csv"
    extra.write_text(
        "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"
        f"Dortmund,DE,{XSS},FR,Partnerschaft,1990,,,<script>alert(2)</script>\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    shutil.copytree(wikidata_store, store)
    result = run_cli("ingest", "partnerships", extra, "--store", store)
    assert result.returncode == 0, result.stderr
    output = tmp_path / "whole.html"
    result = run_cli("view", "whole", "--store", store, "-o", output, "--renderer", "webgl")
    assert result.returncode == 0, result.stderr
    page = browser.open(output)
    assert page.view("citydiploView.search('<img src=x')") == XSS
    assert page.page.inner_text("#details-name") == XSS
    assert page.page.locator("img").count() == 0
    assert page.dialogs == [] and page.page_errors == [] and page.requests == []
