"""Writing a view as one self-contained HTML file with pyvis.

pyvis (0.3.2) generates the file, with three changes to how it is normally used:

- nodes and edges are appended to the Network's lists directly: `add_node` checks every
  existing node and is quadratic (68 s for 20,000 nodes; 0.13 s this way);
- our template (views/assets/view.html) replaces pyvis's: pyvis's `in_line` mode still links
  Bootstrap from a CDN and `local` loads vis-network from one, so the page would not open on
  an offline laptop. Ours inlines every script and style (vis-network from pyvis's own
  package) and a Content-Security-Policy forbids any request;
- the data is embedded as JSON that no text in it can break out of (`script_json`), and the
  page's script renders names and sources with `textContent`, never as HTML.

Large graphs are drawn with WebGL instead (sigma.js 3 + graphology, bundled from npm by
views/install-assets.sh into views/js/dist/sigma-bundle.js and inlined the same way): at 10,000
entities vis-network's canvas takes 100-300 ms per zoom step. vis-network stays in those files
too, as the fallback of a browser without WebGL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from ..errors import CitydiploError
from .page import Page

ASSETS = Path(__file__).parent / "assets"
VIS_NETWORK = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js"
SIGMA_BUNDLE = Path(__file__).parent / "js" / "dist" / "sigma-bundle.js"

# vis-network is the default: on the 10k-city graph in headless Chromium without a GPU it
# redraws in 0.13 s a step, sigma.js (WebGL rasterised on the CPU) in 0.9 s; WebGL draws
# first 2.3× sooner and is the choice where a GPU is known to be there (bench/views.py).
RENDERERS = ("vis", "webgl")

# Below this many entities vis-network's physics may settle the precomputed layout further.
PHYSICS_UP_TO = 150

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any) -> str:
    """`value` as JSON that is safe inside a <script> element: `<`, `>` and `&` escaped (no
    `</script>` or `<!--` can appear), U+2028 and U+2029 too (line ends in older JavaScript)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.translate(str.maketrans(_ESCAPES))


def _inline_script(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # Inside a <script> element only `</script` ends it; neither library contains it.
    if "</script" in text.lower():
        raise CitydiploError(f"{path} contains '</script' and cannot be inlined")
    return text


def vis_options(page: Page) -> dict[str, Any]:
    """vis-network's options: physics only for small graphs (the layout is precomputed),
    labels hidden when too small to read, no hover widening on large graphs."""
    large = page.meta["large"]
    physics = len(page.nodes) <= PHYSICS_UP_TO and page.meta["kind"] in ("whole", "countries")
    return {
        "autoResize": True,
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": physics, "iterations": 150, "fit": True},
        },
        "layout": {"improvedLayout": False, "randomSeed": 0},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {
                "size": 14,
                "face": "DejaVu Sans, Helvetica, Arial, sans-serif",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {
            "smooth": False,
            "width": 1.5,
            "selectionWidth": 2,
            "hoverWidth": 0 if large else 1,
            "color": {"inherit": False, "opacity": 0.55 if large else 0.9},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


def chosen_renderer(renderer: str = "vis") -> str:
    """`vis` or `webgl`, checked."""
    if renderer not in RENDERERS:
        raise CitydiploError(f"unknown renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")
    return renderer


def _webgl_bundle() -> str:
    if not SIGMA_BUNDLE.exists():
        raise CitydiploError(
            f"the WebGL renderer's bundle {SIGMA_BUNDLE} is missing; build it with "
            "`make install` (views/install-assets.sh, needs Node and npm) or write the view "
            "with --renderer vis"
        )
    return _inline_script(SIGMA_BUNDLE)


def write_view(page: Page, path: Path, renderer: str = "vis") -> Path:
    """Write `page` to `path` as one HTML file, drawn by vis-network or (`webgl`) by sigma.js."""
    chosen = chosen_renderer(renderer)
    network = Network(height="100%", width="100%", cdn_resources="in_line")
    # Bulk construction: pyvis's add_node/add_edge are linear each (quadratic in all).
    network.nodes.extend(page.nodes)
    network.edges.extend(page.edges)
    network.options = vis_options(page)
    network.set_template_dir(str(ASSETS) + "/", "view.html")
    environment = network.templateEnv
    environment.filters["script_json"] = script_json
    environment.globals.update(
        view={**page.meta, "renderer": chosen},
        inline={
            "library": _inline_script(VIS_NETWORK),
            "webgl": _webgl_bundle() if chosen == "webgl" else "",
            "ui": "\n".join(
                _inline_script(ASSETS / name)
                for name in (("webgl.js",) if chosen == "webgl" else ()) + ("view.js",)
            ),
            "css": (ASSETS / "view.css").read_text(encoding="utf-8"),
        },
    )
    html = network.generate_html(name=path.name if path.suffix == ".html" else "view.html")
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as error:
        raise CitydiploError(f"cannot write {path}: {error.strerror}") from error
    return path
