"""The HTML network views, opened in a real headless Chromium: what an analyst sees and can do
in the file, offline, and that text from data never runs as code."""

from __future__ import annotations

from pathlib import Path

import pytest

from citydiplo.graph import vocab
from citydiplo.graph.projection import ProjectionOptions, project
from citydiplo.graph.store import open_store
from citydiplo.queries import subgraphs
from citydiplo.queries.entities import entity_index, find_entity
from citydiplo.queries.exposure import exposure_to

from conftest import run_cli

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("views") / "store"
    result = run_cli("demo", "--store", store, cwd=store.parent)
    assert result.returncode == 0, result.stderr
    return store


def _iri(store: Path, name: str) -> str:
    with open_store(store) as graph_store:
        return find_entity(entity_index(graph_store), name).iri


def _expected(store: Path, kind: str) -> tuple[int, int]:
    """Entities and relations the library selects for each view of the bundled dataset."""
    with open_store(store) as graph_store:
        graph = project(graph_store, ProjectionOptions())
        if kind == "exposure":
            answer = exposure_to(graph_store, "China", city="Duisburg")
    if kind == "whole":
        drawn = subgraphs.whole(graph)
    elif kind == "ego":
        drawn = subgraphs.ego(graph, _iri(store, "Dortmund"), 2)
    elif kind == "path":
        drawn = subgraphs.shortest_paths(
            graph, _iri(store, "Dortmund"), _iri(store, "Auswärtiges Amt")
        )
    elif kind == "exposure":
        drawn = subgraphs.channels(graph, answer.cities[0], vocab.country_iri("CN").value)
    else:
        drawn = subgraphs.countries(graph)
    return drawn.number_of_nodes(), drawn.number_of_edges()


VIEWS = {
    "whole": ["whole"],
    "ego": ["ego", "Dortmund", "--hops", "2"],
    "path": ["path", "Dortmund", "Auswärtiges Amt"],
    "exposure": ["exposure", "Duisburg", "--to", "China"],
    "countries": ["countries"],
}


def _write(store: Path, args: list[str], output: Path, *extra: str) -> Path:
    result = run_cli("view", *args, "--store", store, "-o", output, *extra)
    assert result.returncode == 0, result.stderr
    return output


@pytest.mark.parametrize("kind", VIEWS)
def test_each_view_draws_what_the_library_selects_offline_without_errors(
    kind, demo_store, browser, tmp_path
):
    page = browser.open(_write(demo_store, VIEWS[kind], tmp_path / f"{kind}.html"))
    view = page.view()
    assert (view["nodes"], view["edges"]) == _expected(demo_store, kind)
    assert view["visibleEdges"] == view["edges"]
    assert page.console_errors == [] and page.page_errors == []
    assert page.requests == []
    page.screenshot(f"view-{kind}.png")


def test_demo_leaves_a_view_of_dortmund_that_opens_offline(demo_store, browser):
    page = browser.open(demo_store.parent / "citydiplo-demo-dortmund.html")
    assert (page.view()["nodes"], page.view()["edges"]) == _expected(demo_store, "ego")
    assert page.console_errors == [] and page.page_errors == [] and page.requests == []
    assert "From the store" in page.page.inner_text("body")


def test_view_file_has_every_script_and_style_inline(demo_store, tmp_path):
    html = _write(demo_store, VIEWS["whole"], tmp_path / "whole.html").read_text("utf-8")
    assert "<script src" not in html and "<link" not in html
    assert "bootstrap" not in html.lower()
    assert "default-src 'none'" in html


def test_search_finds_dortmund_and_selects_it(demo_store, browser, tmp_path):
    page = browser.open(_write(demo_store, VIEWS["whole"], tmp_path / "whole.html"))
    page.page.fill("#search", "dortmund")
    page.page.press("#search", "Enter")
    assert page.view("citydiploView.selected.label") == "Dortmund"
    assert page.page.inner_text("#details-name") == "Dortmund"
    assert "Found Dortmund" in page.page.inner_text("#search-status")
    page.screenshot("view-whole-search-dortmund.png")


def test_year_slider_shows_the_relations_active_that_year(demo_store, browser, tmp_path):
    page = browser.open(_write(demo_store, VIEWS["ego"], tmp_path / "ego.html"))
    with open_store(demo_store) as graph_store:
        in_2000 = project(graph_store, ProjectionOptions(as_of=2000))
    expected = subgraphs.ego(project_all(demo_store), _iri(demo_store, "Dortmund"), 2)
    active = [(a, b, key) for a, b, key in expected.edges(keys=True) if in_2000.has_edge(a, b, key)]
    everything = page.view("citydiploView.visibleEdges")
    assert page.view("citydiploView.setYear(2000)") == len(active) < everything
    assert page.page.inner_text("#year-value") == "2000"
    assert page.view("citydiploView.setYear(null)") == everything


def project_all(store: Path):
    with open_store(store) as graph_store:
        return project(graph_store, ProjectionOptions())


def test_relation_kind_filter_hides_that_kind(demo_store, browser, tmp_path):
    page = browser.open(_write(demo_store, VIEWS["whole"], tmp_path / "whole.html"))
    memberships = sum(
        1 for *_, kind in project_all(demo_store).edges(data="kind") if kind == "membership"
    )
    everything = page.view("citydiploView.visibleEdges")
    page.page.uncheck("#kind-filters input[value=membership]")
    assert page.view("citydiploView.visibleEdges") == everything - memberships


def test_details_and_tooltips_show_source_and_row(demo_store, browser, tmp_path):
    page = browser.open(_write(demo_store, VIEWS["ego"], tmp_path / "ego.html"))
    details = page.page.inner_text("#details")
    assert "Buffalo" in details and "citydiplo-demo-partnerships, row" in details
    # Hovering the line from Dortmund to Buffalo shows its tooltip.
    a = page.view("citydiploView.screenPosition('Dortmund')")
    b = page.view("citydiploView.screenPosition('Buffalo')")
    page.page.mouse.move((a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2)
    page.page.wait_for_selector("#tooltip:not([hidden])")
    tooltip = page.page.inner_text("#tooltip")
    assert "Dortmund – Buffalo" in tooltip or "Buffalo – Dortmund" in tooltip
    assert "Source: citydiplo-demo-partnerships, row" in tooltip
    page.screenshot("view-ego-tooltip.png")
    # Clicking another entity shows its details and fades what is not its neighbour.
    page.page.mouse.click(b["x"], b["y"])
    assert page.view("citydiploView.selected.label") == "Buffalo"


def _hover(page, label: str) -> dict[str, float]:
    """Move the mouse onto `label` once what is on screen is drawn (sigma finds what is under
    the mouse in its last drawing), and wait for the tooltip."""
    page.view("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    position = page.view(f"citydiploView.screenPosition({label!r})")
    page.page.mouse.move(position["x"] - 3, position["y"] - 3)
    page.page.mouse.move(position["x"], position["y"], steps=3)
    page.page.wait_for_selector("#tooltip:not([hidden])")
    return position


@pytest.mark.parametrize("renderer", ["vis", "webgl"])
def test_a_city_named_like_html_shows_as_text_and_runs_nothing(renderer, browser, tmp_path):
    csv = tmp_path / "xss.csv"
    csv.write_text(
        "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"
        f"Dortmund,DE,{XSS},FR,Partnerschaft,1990,,,<script>alert(2)</script> report\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    result = run_cli("ingest", "partnerships", csv, "--store", store)
    assert result.returncode == 0, result.stderr
    output = _write(store, ["ego", XSS], tmp_path / "xss.html", "--renderer", renderer)
    html = output.read_text("utf-8")
    assert XSS not in html and "<script>alert" not in html
    page = browser.open(output)
    assert page.view("citydiploView.renderer") == renderer
    assert page.view("citydiploView.selected.label") == XSS
    assert page.page.inner_text("#details-name") == XSS
    assert page.page.locator("img").count() == 0
    page.page.fill("#search", "Dortmund")
    page.page.press("#search", "Enter")
    assert "xss, row 2 · <script>alert(2)</script> report" in page.page.inner_text("#details")
    _hover(page, XSS)
    assert XSS in page.page.inner_text("#tooltip")
    assert page.dialogs == [] and page.page_errors == [] and page.requests == []
    page.screenshot(f"view-xss-name-{renderer}.png")


def test_webgl_renderer_draws_the_same_view_with_the_same_controls(demo_store, browser, tmp_path):
    output = _write(demo_store, VIEWS["ego"], tmp_path / "ego.html", "--renderer", "webgl")
    page = browser.open(output)
    view = page.view()
    assert view["renderer"] == "webgl"
    assert (view["nodes"], view["edges"]) == _expected(demo_store, "ego")
    assert page.console_errors == [] and page.page_errors == [] and page.requests == []
    page.screenshot("view-ego-webgl.png")
    # The year slider and the kind filters change what is drawn, as with vis-network.
    everything = view["visibleEdges"]
    assert page.view("citydiploView.setYear(2000)") < everything
    assert page.view("citydiploView.setYear(null)") == everything
    assert page.view("citydiploView.setKind('membership', false)") < everything
    # Hovering an entity shows its tooltip; clicking it shows its details.
    buffalo = _hover(page, "Buffalo")
    assert page.page.inner_text("#tooltip").startswith("Buffalo")
    page.page.mouse.click(buffalo["x"], buffalo["y"])
    page.wait_until("citydiploView.selected && citydiploView.selected.label === 'Buffalo'")
    page.page.fill("#search", "Dortmund")
    page.page.press("#search", "Enter")
    assert page.view("citydiploView.selected.label") == "Dortmund"
    assert "citydiplo-demo-partnerships, row" in page.page.inner_text("#details")
    page.screenshot("view-ego-webgl-dortmund.png")


def test_views_are_drawn_by_vis_network_unless_webgl_is_asked_for(demo_store, tmp_path):
    html = _write(demo_store, VIEWS["ego"], tmp_path / "ego.html").read_text("utf-8")
    assert 'data-renderer="vis"' in html and "window.CitydiploSigma" not in html


def test_unknown_city_is_refused_with_a_suggestion(demo_store, cli):
    result = cli("view", "ego", "Dortmnd", "--store", demo_store, "-o", "x.html")
    assert result.returncode == 2
    assert "did you mean Dortmund?" in result.stderr
    assert not Path("x.html").exists()


@pytest.mark.parametrize("option", ["--size-by", "--color-by"])
def test_unknown_size_or_colour_choice_is_refused(option, demo_store, cli):
    result = cli("view", "whole", option, "fame", "--store", demo_store, "-o", "x.html")
    assert result.returncode == 2
    assert option in result.stderr and "fame" in result.stderr
    assert not Path("x.html").exists()


def test_no_path_is_explained_not_drawn(demo_store, cli):
    result = cli(
        "view", "path", "Dortmund", "Wuhan", "--layers", "membership", "--store", demo_store
    )
    assert result.returncode == 2
    assert "no path to draw" in result.stderr
