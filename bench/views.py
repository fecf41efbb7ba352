"""citydiplo's HTML view of the whole 2016 P190 graph (10,055 cities, 17,401 twinnings)
against plain pyvis with its defaults, measured in one run in headless Chromium.

    .venv/bin/python bench/views.py                 # about 3-4 minutes; needs `make browser`
    .venv/bin/python bench/views.py --store DIR     # reuse a store holding the snapshot
    .venv/bin/python bench/views.py --build-cap 10 --render-cap 30

Both sides draw the same projection (every city with a twinning).

citydiplo: `views.build.whole_view` + `views.html.write_view` (bulk construction, layout
precomputed, physics off), once per renderer: vis-network (canvas) and sigma.js (WebGL; in
headless Chromium without a GPU that is SwiftShader, WebGL rasterised on the CPU).

Baseline: pyvis as its documentation shows it: `Network()` with its defaults, `add_node` per
city and `add_edge` per twinning, `write_html`. Its building is quadratic (`add_node` and
`add_edge` scan every node and edge added before), so it is capped at --build-cap seconds: past
the cap the figure is fitted, t = a·V² + b·E², on samples of 1,000, 2,000 and 5,000 cities
(breadth-first from the best-connected city, with the twinnings among them) and reported as
"extrapolated". pyvis's default file (`cdn_resources="local"`) loads vis-network from
cdnjs.cloudflare.com; this machine has no internet, and neither do the laptops the views are
for, so it is opened offline and what it drew is reported. vis-network from pyvis's package
cannot stand in for the CDN's (the page pins the CDN file's sha512, which pyvis's copy does not
match), so its render is timed on the same network written with `cdn_resources="in_line"`,
the one pyvis mode that puts vis-network in the file (its Bootstrap links are refused).

Figures, all in the same run: file write (projection to HTML file), first render (navigation
start to vis-network's first drawing, from `performance.now()` in the page), redraw (median of
8 steps alternating 10 % zoom and 120-pixel pan, each until the frame after its drawing: WebGL
draws after the event, so only then is the step on screen for both renderers). The baseline's
render is capped at --render-cap seconds (physics on: nothing is drawn until its stabilisation
ends) and reported as "> cap (did not settle)". Every browser call is time-boxed. Ratios are
baseline / citydiplo. No goal is asserted; the issue's goals (write ≤ 3 s, first render ≤ 5 s)
are printed beside. Results: bench/results/views.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SNAPSHOT = ROOT / ".." / "shared" / "data" / "wikidata-p190-2016"
RESULTS = BENCH_DIR / "results" / "views.json"
# The browser and the flags the view tests use (tests/fixtures_browser.py).
sys.path.insert(0, str(ROOT / "tests"))
from fixtures_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

RENDERERS = ("vis", "webgl")
SAMPLE_SIZES = (1_000, 2_000, 5_000)
REDRAW_STEPS = 8
BROWSER_CALL_S = 30.0

# Records what the baseline's page does with its `network` global (pyvis's template declares
# `var network;` and assigns it once vis.Network is built), from navigation start.
BASELINE_PROBE = """
(() => {
  let drawn;
  const probe = { built: null, firstDraw: null, iterationsDone: null, stabilized: null };
  window.__bench = probe;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return drawn; },
    set(network) {
      drawn = network;
      probe.built = performance.now();
      network.once("afterDrawing", () => { probe.firstDraw = performance.now(); });
      network.once("stabilizationIterationsDone", () => {
        probe.iterationsDone = performance.now();
      });
      network.once("stabilized", () => { probe.stabilized = performance.now(); });
    },
  });
})();
"""

# The same zoom-and-pan steps as citydiploView.redrawTimes (views/assets/view.js).
BASELINE_REDRAW = """
async count => {
  const times = [];
  for (let step = 0; step < count; step++) {
    const scale = network.getScale();
    const at = network.getViewPosition();
    const start = performance.now();
    await new Promise(resolve => {
      network.once("afterDrawing", () => requestAnimationFrame(resolve));
      if (step % 2 === 0) {
        network.moveTo({ scale: scale * (step % 4 === 0 ? 1.1 : 1 / 1.1), animation: false });
      } else {
        const x = at.x + (step % 4 === 1 ? 1 : -1) * 120 / scale;
        network.moveTo({ position: { x: x, y: at.y }, animation: false });
      }
    });
    times.push(performance.now() - start);
  }
  return times;
}
"""


def build_store(folder: Path) -> Path:
    store = folder / "store"
    subprocess.run(
        [sys.executable, "-m", "citydiplo", "ingest", "partnerships", str(SNAPSHOT)]
        + ["--store", str(store)],
        check=True,
        capture_output=True,
    )
    return store


# --- writing ------------------------------------------------------------------------------


def write_citydiplo(store: Path, folder: Path, renderer: str) -> dict[str, Any]:
    from citydiplo.graph.projection import ProjectionOptions, project
    from citydiplo.graph.store import open_store
    from citydiplo.views.build import ViewOptions, whole_view
    from citydiplo.views.html import write_view

    with open_store(store) as graph_store:
        project(graph_store, ProjectionOptions())  # cached: neither side pays the projection
        start = time.perf_counter()
        page = whole_view(graph_store, ViewOptions(store=str(store)))
        built = time.perf_counter() - start
        path = write_view(page, folder / f"citydiplo-{renderer}.html", renderer)
        written = time.perf_counter() - start
    return {
        "file": path,
        "write_s": written,
        "page_built_s": built,
        "file_bytes": path.stat().st_size,
    }


def projection(store: Path) -> nx.MultiGraph:
    from citydiplo.graph.projection import ProjectionOptions, project
    from citydiplo.graph.store import open_store

    with open_store(store) as graph_store:
        return project(graph_store, ProjectionOptions())


def _pyvis_network(graph: nx.Graph, deadline: float) -> Any:
    """pyvis's documented way: Network() and one add_node / add_edge call each; None when
    the deadline passes first."""
    from pyvis.network import Network

    network = Network()
    for i, node in enumerate(graph):
        network.add_node(node, label=graph.nodes[node]["name"])
        if i % 500 == 0 and time.perf_counter() > deadline:
            return None
    for i, (a, b) in enumerate(graph.edges()):
        network.add_edge(a, b)
        if i % 500 == 0 and time.perf_counter() > deadline:
            return None
    return network


def _in_cwd(folder: Path, action: Callable[[], Any]) -> Any:
    # write_html with cdn_resources="local" copies pyvis's lib/ into the working directory.
    before = Path.cwd()
    os.chdir(folder)
    try:
        return action()
    finally:
        os.chdir(before)


def _sample(graph: nx.Graph, size: int) -> nx.Graph:
    hub = max(graph, key=graph.degree)
    order = [hub, *(b for _, b in nx.bfs_edges(graph, hub))][:size]
    return graph.subgraph(order)


def _fit(samples: list[dict[str, float]], nodes: int, edges: int) -> float:
    """Least squares t = a·V² + b·E² through the samples, at (nodes, edges)."""
    # The normal equations of the two-parameter fit, solved directly.
    xs = [(s["nodes"] ** 2, s["edges"] ** 2, s["s"]) for s in samples]
    vv = sum(v * v for v, _, _ in xs)
    ve = sum(v * e for v, e, _ in xs)
    ee = sum(e * e for _, e, _ in xs)
    vt = sum(v * t for v, _, t in xs)
    et = sum(e * t for _, e, t in xs)
    determinant = vv * ee - ve * ve
    a = (vt * ee - et * ve) / determinant
    b = (vv * et - ve * vt) / determinant
    return float(a * nodes**2 + b * edges**2)


def write_baseline(graph: nx.MultiGraph, folder: Path, cap: float) -> dict[str, Any]:
    drawn = nx.Graph(graph.subgraph(node for node in graph if graph.degree(node)))
    figures: dict[str, Any] = {"nodes": drawn.number_of_nodes(), "edges": drawn.number_of_edges()}
    start = time.perf_counter()
    network = _pyvis_network(drawn, start + cap)
    if network is not None:
        _in_cwd(folder, lambda: network.write_html("baseline.html"))
        figures["write_s"] = time.perf_counter() - start
    else:
        samples = []
        for size in SAMPLE_SIZES:
            sample = _sample(drawn, size)
            begin = time.perf_counter()
            partial = _pyvis_network(sample, float("inf"))
            _in_cwd(folder, lambda network=partial: network.write_html("sample.html"))
            samples.append(
                {
                    "nodes": sample.number_of_nodes(),
                    "edges": sample.number_of_edges(),
                    "s": time.perf_counter() - begin,
                }
            )
        figures["write_s"] = _fit(samples, figures["nodes"], figures["edges"])
        figures["write_extrapolated"] = f"stopped at the {cap:g} s cap; fitted a·V² + b·E²"
        figures["write_samples"] = samples
        # The page itself is the same as add_node/add_edge would give, built in bulk.
        from pyvis.network import Network

        network = Network()
        network.add_nodes(list(drawn), label=[drawn.nodes[n]["name"] for n in drawn])
        network.edges.extend({"from": a, "to": b} for a, b in drawn.edges())
        _in_cwd(folder, lambda: network.write_html("baseline.html"))
    figures["file"] = folder / "baseline.html"
    figures["file_bytes"] = figures["file"].stat().st_size
    network.cdn_resources = "in_line"
    _in_cwd(folder, lambda: network.write_html("baseline-inline.html"))
    figures["inline_file"] = folder / "baseline-inline.html"
    figures["inline_file_bytes"] = figures["inline_file"].stat().st_size
    return figures


# --- rendering ------------------------------------------------------------------------------


async def _open(browser: Any, path: Path, init_script: str | None = None) -> tuple[Any, dict]:
    """A fresh page on `path` whose every request but the file and its own folder is refused
    (as on a machine without internet, and at once rather than after a DNS timeout)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    seen: dict[str, list[str]] = {"refused": [], "errors": []}
    local = path.parent.resolve().as_uri()

    async def route(request_route: Any) -> None:
        if request_route.request.url.startswith(local):
            await request_route.continue_()
        else:
            seen["refused"].append(request_route.request.url)
            await request_route.abort()

    await page.route("**/*", route)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on(
        "console",
        lambda message: seen["errors"].append(message.text) if message.type == "error" else None,
    )
    if init_script:
        await page.add_init_script(init_script)
    # "commit": the load event of a page busy laying out can be minutes away.
    await page.goto(path.resolve().as_uri(), wait_until="commit", timeout=BROWSER_CALL_S * 1000)
    return page, seen


async def _bounded(awaitable: Any, seconds: float) -> Any:
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        return None
    except Exception as error:  # noqa: BLE001 - a page that failed is a figure, not a crash
        return f"failed: {str(error).splitlines()[0]}"


async def _until(page: Any, expression: str, seconds: float) -> bool:
    """Whether `expression` became true in the page within `seconds`, asked every 250 ms.
    (wait_for_function would evaluate a string, which the views' CSP forbids.)"""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        answer = await _bounded(page.evaluate(expression), deadline - time.perf_counter())
        if answer is True:
            return True
        await asyncio.sleep(0.25)
    return False


async def render_citydiplo(browser: Any, path: Path) -> dict[str, Any]:
    page, seen = await _open(browser, path)
    if not await _until(page, "!!(window.citydiploView && citydiploView.ready)", 120):
        raise SystemExit(f"{path.name} did not draw within 120 s")
    first = await page.evaluate("citydiploView.firstRenderMs")
    redraws = await _bounded(page.evaluate(f"citydiploView.redrawTimes({REDRAW_STEPS})"), 60)
    await page.context.close()
    return {
        "first_render_s": first / 1000,
        "redraw_ms": statistics.median(redraws) if isinstance(redraws, list) else "timed out",
        "redraw_runs_ms": redraws,
        "requests": seen["refused"],
        "errors": seen["errors"],
    }


async def render_baseline_default(browser: Any, path: Path) -> dict[str, Any]:
    page, seen = await _open(browser, path, BASELINE_PROBE)
    await _bounded(page.wait_for_load_state("load"), BROWSER_CALL_S)
    await asyncio.sleep(2)
    state = await _bounded(
        page.evaluate("({ vis: typeof vis, built: __bench.built, drawn: __bench.firstDraw })"),
        BROWSER_CALL_S,
    )
    await page.context.close()
    drew = isinstance(state, dict) and state["drawn"] is not None
    return {
        "renders_offline": drew,
        "vis_loaded": isinstance(state, dict) and state["vis"] != "undefined",
        "requests": seen["refused"],
        "errors": seen["errors"][:3],
    }


async def render_baseline_inline(browser: Any, path: Path, cap: float) -> dict[str, Any]:
    page, seen = await _open(browser, path, BASELINE_PROBE)
    figures: dict[str, Any] = {"requests": seen["refused"]}
    drawn = await _until(page, "!!(window.__bench && __bench.firstDraw !== null)", cap)
    probe = await _bounded(page.evaluate("__bench"), 10)
    figures["probe_ms"] = probe
    if not drawn or not isinstance(probe, dict):
        figures["first_render_s"] = f"> {cap:g} s (did not settle)"
        figures["redraw_ms"] = "not measured: nothing drawn by the cap"
    else:
        figures["first_render_s"] = probe["firstDraw"] / 1000
        redraws = await _bounded(page.evaluate(BASELINE_REDRAW, REDRAW_STEPS), 60)
        figures["redraw_runs_ms"] = redraws
        figures["redraw_ms"] = (
            statistics.median(redraws) if isinstance(redraws, list) else "timed out"
        )
        settled = await _until(page, "__bench.stabilized !== null", cap - probe["firstDraw"] / 1000)
        figures["settled_s"] = (
            (await page.evaluate("__bench.stabilized")) / 1000
            if settled
            else f"> {cap:g} s (physics still moving)"
        )
    figures["errors"] = seen["errors"][:3]
    await _bounded(page.context.close(), 10)
    return figures


async def render_all(ours: dict[str, Path], baseline: dict[str, Any], cap: float) -> dict:
    from playwright.async_api import async_playwright

    rendered: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for side, path in ours.items():
                rendered[side] = await render_citydiplo(browser, path)
            rendered["baseline offline"] = await render_baseline_default(browser, baseline["file"])
            rendered["baseline"] = await render_baseline_inline(
                browser, baseline["inline_file"], cap
            )
        finally:
            await _bounded(browser.close(), 20)
    return rendered


# --- report ---------------------------------------------------------------------------------


def _shown(value: Any, unit: str) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,.0f} ms" if unit == "ms" else f"{value:.2f} s"


def report(result: dict[str, Any]) -> str:
    ours = [side for side in result["sides"] if not side.startswith("baseline")]
    base = result["sides"]["baseline"]
    rows = [("metric", *ours, "pyvis defaults", *(f"ratio ({s})" for s in ours))]
    for figure, unit in (("write_s", "s"), ("first_render_s", "s"), ("redraw_ms", "ms")):
        line = [figure]
        for side in ours:
            line.append(_shown(result["sides"][side].get(figure), unit))
        shown = _shown(base.get(figure), unit)
        if figure == "write_s" and "write_extrapolated" in base:
            shown += " (extrapolated)"
        line.append(shown)
        for side in ours:
            ratio = result["ratios"].get(side, {}).get(figure)
            line.append(f"{ratio:.1f}×" if ratio else "–")
        rows.append(tuple(line))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )
    offline = result["sides"]["baseline offline"]
    lines = [
        table,
        "",
        f"graph: {base['nodes']:,} cities, {base['edges']:,} twinnings; "
        f"files: citydiplo {result['sides'][ours[0]]['file_bytes'] / 1e6:.1f} MB, "
        f"pyvis {base['file_bytes'] / 1e6:.1f} MB (+ lib/ folder), "
        f"pyvis in_line {base['inline_file_bytes'] / 1e6:.1f} MB",
        "pyvis's default file offline: "
        + ("draws" if offline["renders_offline"] else "draws NOTHING")
        + f" (vis-network loaded: {offline['vis_loaded']}; requests refused: "
        + ", ".join(sorted({url.split("/")[2] for url in offline["requests"]}) or ["none"])
        + ")",
        "baseline render timed on pyvis's in_line file (the only mode with vis-network inside)",
        "goals (10k nodes): write ≤ 3 s, first render ≤ 5 s",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="A store holding the 2016 snapshot.")
    parser.add_argument("--build-cap", type=float, default=60.0, help="Baseline build cap (s).")
    parser.add_argument("--render-cap", type=float, default=60.0, help="Baseline render cap (s).")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = args.store or build_store(folder)
        ours = {
            f"citydiplo {renderer}": write_citydiplo(store, folder, renderer)
            for renderer in RENDERERS
        }
        baseline = write_baseline(projection(store), folder, args.build_cap)
        rendered = asyncio.run(
            render_all({side: ours[side]["file"] for side in ours}, baseline, args.render_cap)
        )
    sides: dict[str, Any] = {side: {**ours[side], **rendered[side]} for side in ours}
    sides["baseline"] = {**baseline, **rendered["baseline"]}
    sides["baseline offline"] = rendered["baseline offline"]
    ratios: dict[str, dict[str, float]] = {}
    for side in ours:
        for figure in ("write_s", "first_render_s", "redraw_ms"):
            mine, theirs = sides[side].get(figure), sides["baseline"].get(figure)
            if isinstance(mine, float) and isinstance(theirs, float):
                ratios.setdefault(side, {})[figure] = theirs / mine
    result = {
        "sides": sides,
        "ratios": ratios,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": os.getloadavg(),
            "chromium": subprocess.run(
                [str(CHROMIUM), "--version"], capture_output=True, text=True
            ).stdout.strip(),
        },
        "bench_s": time.perf_counter() - started,
    }
    print(report(result))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)} in {result['bench_s']:.0f} s")


if __name__ == "__main__":
    main()
