/* citydiplo network view: the page's behaviour: header, search, filters, year slider, legend,
 * tooltips and the details panel.
 *
 * Data comes from the JSON <script> elements the generator wrote. Every text that comes from
 * data (names, sources, citations) is put into the page with textContent or as an <option>
 * value, never as HTML, so a city whose name is an HTML tag with a script stays a name.
 * The drawing itself is delegated to a renderer behind a small interface (refresh, highlight,
 * focus, redrawStep, screenPosition): visRenderer below (vis-network, canvas), or the WebGL one
 * in webgl.js (sigma.js), which the generator inlines before this file for large graphs.
 */
(function () {
  "use strict";

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  var meta = readJson("citydiplo-meta");
  var options = readJson("citydiplo-options");
  var nodes = readJson("citydiplo-nodes");
  var edges = readJson("citydiplo-edges");
  var nodeById = new Map();
  var edgesOf = new Map();
  nodes.forEach(function (node) {
    nodeById.set(node.id, node);
    edgesOf.set(node.id, []);
  });
  edges.forEach(function (edge) {
    edgesOf.get(edge.from).push(edge);
    if (edge.to !== edge.from) edgesOf.get(edge.to).push(edge);
  });

  var state = {
    kinds: new Set(edges.map(function (edge) { return edge.kind; })),
    year: null,
    selected: null
  };

  // --- small DOM helpers: text only ------------------------------------------------------
  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = String(text);
    if (className) made.className = className;
    return made;
  }
  function byId(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function years(edge) {
    if (edge.since === null && edge.until === null) return "";
    return (edge.since !== null ? edge.since : "?") + "–" + (edge.until !== null ? edge.until : "");
  }
  function sourceText(edge) {
    var parts = [];
    if (edge.source) parts.push(edge.source + (edge.row !== null ? ", row " + edge.row : ""));
    if (edge.citation) parts.push(edge.citation);
    return parts.join(" · ") || "no source recorded";
  }
  function kindLabel(kind) {
    var found = meta.legend.kinds.filter(function (k) { return k.kind === kind; })[0];
    return found ? found.label : kind;
  }
  function other(edge, id) { return nodeById.get(edge.from === id ? edge.to : edge.from); }

  // --- which edges are shown: relation kinds ticked, active in the chosen year -------------
  function edgeShown(edge) {
    if (!state.kinds.has(edge.kind)) return false;
    if (state.year === null) return true;
    return (edge.since === null || edge.since <= state.year) &&
      (edge.until === null || edge.until >= state.year);
  }
  function visibleEdgeCount() {
    var count = 0;
    for (var i = 0; i < edges.length; i++) if (edgeShown(edges[i])) count++;
    return count;
  }

  // --- header, caption, about -------------------------------------------------------------
  document.title = meta.title;
  byId("title").textContent = meta.title;
  byId("caption").textContent = meta.caption + " Written " + meta.written + ".";
  var about = byId("about");
  meta.notes.forEach(function (note) { about.appendChild(element("p", note)); });

  // --- tooltip (our own: vis-network would render a title string as HTML) -----------------
  var tooltip = byId("tooltip");
  function showTooltip(lines, x, y) {
    clear(tooltip);
    lines.forEach(function (line, i) { tooltip.appendChild(element(i === 0 ? "strong" : "div", line)); });
    tooltip.hidden = false;
    var left = Math.min(x + 14, window.innerWidth - tooltip.offsetWidth - 8);
    var top = Math.min(y + 14, window.innerHeight - tooltip.offsetHeight - 8);
    tooltip.style.left = Math.max(4, left) + "px";
    tooltip.style.top = Math.max(4, top) + "px";
  }
  function hideTooltip() { tooltip.hidden = true; }
  function nodeLines(node) {
    var lines = [node.label, [node.type, node.country].filter(Boolean).join(", ")];
    lines.push(meta.legend.sizeBy + ": " + node.value);
    if (meta.legend.colorBy === "community" && node.group !== null) lines.push("community " + node.group);
    lines.push(edgesOf.get(node.id).length + " relations");
    return lines;
  }
  function edgeLines(edge) {
    var lines = [nodeById.get(edge.from).label + " – " + nodeById.get(edge.to).label];
    lines.push(kindLabel(edge.kind) + " (" + edge.layer + ")" + (edge.relations > 1 ? ", " + edge.relations + " relations" : ""));
    var when = years(edge);
    lines.push([edge.status || "", when].filter(Boolean).join(", ") || "no dates");
    lines.push("Source: " + sourceText(edge));
    return lines;
  }

  // --- details panel ----------------------------------------------------------------------
  function showDetails(node) {
    var panel = byId("details");
    panel.hidden = false;
    byId("details-name").textContent = node.label;
    var facts = byId("details-facts");
    clear(facts);
    [["type", node.type], ["country", node.country], [meta.legend.sizeBy, node.value],
      [meta.legend.colorBy, ["type", "country"].indexOf(meta.legend.colorBy) < 0 ? node.group : null],
      ["IRI", node.iri]].forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined) return;
      facts.appendChild(element("dt", pair[0]));
      facts.appendChild(element("dd", pair[1]));
    });
    var list = byId("details-relations");
    clear(list);
    var mine = edgesOf.get(node.id).filter(edgeShown);
    mine.slice(0, 300).forEach(function (edge) {
      var item = element("li");
      item.appendChild(element("span", kindLabel(edge.kind) + " with " + other(edge, node.id).label +
        (years(edge) ? " (" + years(edge) + ")" : "") + (edge.status && edge.status !== "active" ? ", " + edge.status : "")));
      item.appendChild(element("div", sourceText(edge), "source"));
      list.appendChild(item);
    });
    if (mine.length > 300) list.appendChild(element("li", (mine.length - 300) + " more"));
    if (!mine.length) list.appendChild(element("li", "none with the filters chosen"));
  }
  byId("details-close").addEventListener("click", function () { select(null); });

  function select(id, fade) {
    state.selected = id;
    if (id === null) {
      byId("details").hidden = true;
      renderer.highlight(null);
      api.selected = null;
      return;
    }
    var node = nodeById.get(id);
    var near = new Set([id]);
    edgesOf.get(id).forEach(function (edge) { if (edgeShown(edge)) near.add(other(edge, id).id); });
    renderer.highlight(fade === false ? null : near, id);
    showDetails(node);
    api.selected = { id: id, label: node.label };
  }

  // --- search -----------------------------------------------------------------------------
  var datalist = byId("names");
  nodes.slice(0, 20000).forEach(function (node) {
    var option = document.createElement("option");
    option.value = node.label;
    datalist.appendChild(option);
  });
  function find(text) {
    var wanted = text.trim().toLocaleLowerCase();
    if (!wanted) return null;
    var tests = [
      function (label) { return label === wanted; },
      function (label) { return label.indexOf(wanted) === 0; },
      function (label) { return label.indexOf(wanted) >= 0; }
    ];
    for (var t = 0; t < tests.length; t++) {
      // Nodes come largest first, so the best-connected match wins.
      for (var i = 0; i < nodes.length; i++) {
        if (tests[t](nodes[i].label.toLocaleLowerCase())) return nodes[i];
      }
    }
    return null;
  }
  function search(text) {
    var node = find(text);
    var status = byId("search-status");
    if (!node) {
      status.textContent = "Nothing here is called “" + text + "”.";
      return null;
    }
    status.textContent = "Found " + node.label + ([node.type, node.country].filter(Boolean).length ?
      " (" + [node.type, node.country].filter(Boolean).join(", ") + ")" : "") + ".";
    select(node.id);
    renderer.focus(node.id);
    return node.label;
  }
  byId("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(byId("search").value);
  });

  // --- relation-kind filters (they are the edge legend too) and the year slider -----------
  function refreshEdges() {
    renderer.refresh(edgeShown);
    api.visibleEdges = visibleEdgeCount();
    document.body.dataset.visibleEdges = String(api.visibleEdges);
    byId("edge-count").textContent = api.visibleEdges + " of " + edges.length + " relations shown.";
    if (state.selected !== null) select(state.selected);
  }
  var filters = byId("kind-filters");
  meta.legend.kinds.forEach(function (kind) {
    var item = element("li");
    var label = element("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = kind.kind;
    box.addEventListener("change", function () {
      if (box.checked) state.kinds.add(kind.kind); else state.kinds.delete(kind.kind);
      refreshEdges();
    });
    var line = element("span", null, "line");
    line.style.borderTopColor = kind.color;
    label.appendChild(box);
    label.appendChild(line);
    label.appendChild(element("span", kind.label));
    item.appendChild(label);
    item.appendChild(element("span", kind.count, "count"));
    filters.appendChild(item);
  });
  var slider = byId("year");
  var yearValue = byId("year-value");
  if (meta.years) {
    slider.min = String(meta.years.min);
    slider.max = String(meta.years.max + 1);
    slider.step = "1";
    slider.value = slider.max;
    yearValue.textContent = "any year";
    slider.addEventListener("input", function () {
      var year = Number(slider.value);
      state.year = year > meta.years.max ? null : year;
      yearValue.textContent = state.year === null ? "any year" : String(state.year);
      refreshEdges();
    });
  } else {
    slider.disabled = true;
    yearValue.textContent = "any year (no dates in this view)";
  }

  // --- legend -----------------------------------------------------------------------------
  byId("color-title").textContent = "Colour: " + meta.legend.colorBy;
  meta.legend.colors.forEach(function (row) {
    var item = element("li");
    var dot = element("span", null, "swatch");
    dot.style.background = row.color;
    item.appendChild(dot);
    item.appendChild(element("span", row.label));
    item.appendChild(element("span", row.count, "count"));
    byId("color-legend").appendChild(item);
  });
  byId("size-title").textContent = "Size: " + meta.legend.sizeBy;
  meta.legend.sizes.forEach(function (row) {
    var item = element("li");
    var dot = element("span", null, "swatch");
    dot.style.width = dot.style.height = Math.round(row.size * 2 / 3 + 4) + "px";
    item.appendChild(dot);
    item.appendChild(element("span", String(Math.round(row.value * 1e4) / 1e4)));
    byId("size-legend").appendChild(item);
  });
  meta.legend.statuses.forEach(function (row) {
    var item = element("li");
    var line = element("span", null, "line");
    line.style.borderTopStyle = row.dashes === false ? "solid" : (row.dashes[0] > 4 ? "dashed" : "dotted");
    if (row.color) line.style.borderTopColor = row.color;
    item.appendChild(line);
    item.appendChild(element("span", row.label));
    byId("status-legend").appendChild(item);
  });

  // --- renderers ----------------------------------------------------------------------------
  var FADED = "#e4e4e4";

  function visRenderer(container, handlers) {
    var nodeSet = new vis.DataSet(nodes.map(function (node) {
      return { id: node.id, label: node.label, x: node.x, y: node.y, size: node.size,
        color: node.color, font: node.font };
    }));
    var edgeSet = new vis.DataSet(edges.map(function (edge) {
      return { id: edge.id, from: edge.from, to: edge.to,
        color: { color: edge.color, highlight: edge.color, hover: edge.color },
        dashes: edge.dashes, width: edge.relations > 1 ? Math.min(1.5 + Math.log2(edge.relations), 8) : undefined };
    }));
    var shown = edgeShown;
    var edgeView = new vis.DataView(edgeSet, { filter: function (item) { return shown(edges[item.id]); } });
    var network = new vis.Network(container, { nodes: nodeSet, edges: edgeView }, options);
    var faded = false;
    // On a large graph a faded label would still cover the neighbourhood: hide it.
    var fadedFont = meta.large ? { color: "rgba(0,0,0,0)", strokeWidth: 0 } : { color: "#bbbbbb" };
    network.once("afterDrawing", handlers.firstDraw);
    network.on("click", function (params) {
      handlers.click(params.nodes.length ? params.nodes[0] : null);
    });
    network.on("hoverNode", function (params) { handlers.hoverNode(params.node); });
    network.on("hoverEdge", function (params) { handlers.hoverEdge(params.edge); });
    network.on("blurNode", handlers.blur);
    network.on("blurEdge", handlers.blur);
    network.on("dragStart", handlers.blur);
    return {
      name: "vis",
      network: network,
      refresh: function (predicate) { shown = predicate; edgeView.refresh(); },
      highlight: function (near, center) {
        if (near !== null || faded) {
            nodeSet.update(nodes.map(function (node) {
            var keep = near === null || near.has(node.id);
            return { id: node.id, color: keep ? node.color : FADED,
              font: keep ? node.font || {} : fadedFont };
          }));
        }
        faded = near !== null;
        if (center !== undefined) network.selectNodes([center], true);
        else network.unselectAll();
      },
      focus: function (id) {
        network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
      },
      // One step of a zoom-and-pan sequence; resolves with the time until it is on screen.
      redrawStep: function (step) {
        return new Promise(function (resolve) {
          var start = performance.now();
          var scale = network.getScale();
          var at = network.getViewPosition();
          // Until the next frame may start: the drawing has then reached the screen.
          network.once("afterDrawing", function () {
            requestAnimationFrame(function () { resolve(performance.now() - start); });
          });
          if (step % 2 === 0) network.moveTo({ scale: scale * (step % 4 === 0 ? 1.1 : 1 / 1.1), animation: false });
          else network.moveTo({ position: { x: at.x + (step % 4 === 1 ? 1 : -1) * 120 / scale, y: at.y }, animation: false });
        });
      },
      screenPosition: function (id) {
        var point = network.canvasToDOM(network.getPosition(id));
        var box = container.getBoundingClientRect();
        return { x: box.left + point.x, y: box.top + point.y };
      }
    };
  }

  var api = {
    renderer: meta.renderer,
    nodes: nodes.length,
    edges: edges.length,
    visibleEdges: edges.length,
    selected: null,
    ready: false,
    firstRenderMs: null,
    search: search,
    select: function (label) { var node = find(label); if (node) select(node.id); return node ? node.label : null; },
    setYear: function (year) {
      slider.value = String(year === null ? Number(slider.max) : year);
      slider.dispatchEvent(new Event("input"));
      return api.visibleEdges;
    },
    setKind: function (kind, on) {
      var box = filters.querySelector("input[value=\"" + CSS.escape(kind) + "\"]");
      if (box && box.checked !== on) { box.checked = on; box.dispatchEvent(new Event("change")); }
      return api.visibleEdges;
    },
    // Where an entity is drawn, in page pixels (for tests that hover and click).
    screenPosition: function (label) { var node = find(label); return node ? renderer.screenPosition(node.id) : null; },
    // Times of `count` redraws, alternating zoom in or out by 10 % and a pan by 120 pixels.
    redrawTimes: function (count) {
      var times = [];
      var step = function (i) {
        if (i >= count) return Promise.resolve(times);
        return renderer.redrawStep(i).then(function (ms) {
          times.push(ms);
          return step(i + 1);
        });
      };
      return step(0);
    }
  };
  window.citydiploView = api;
  document.body.dataset.nodes = String(nodes.length);
  document.body.dataset.edges = String(edges.length);

  var handlers = {
    firstDraw: function () {
      api.ready = true;
      api.firstRenderMs = performance.now();
      document.body.dataset.ready = "true";
    },
    click: function (id) { select(id); },
    hoverNode: function (id) { showTooltip(nodeLines(nodeById.get(id)), mouse.x, mouse.y); },
    hoverEdge: function (id) { showTooltip(edgeLines(edges[id]), mouse.x, mouse.y); },
    blur: hideTooltip
  };
  var container = byId("graph");
  var mouse = { x: 0, y: 0 };
  // Captured on the window: vis-network's gesture handling keeps pointer events to itself.
  ["pointermove", "mousemove"].forEach(function (type) {
    window.addEventListener(type, function (event) { mouse.x = event.clientX; mouse.y = event.clientY; }, true);
  });
  // WebGL for large graphs when the generator chose it and the browser has it; else vis-network
  // (also inside every file, as this fallback).
  var webgl = meta.renderer === "webgl" && window.citydiploWebgl && citydiploWebgl.available();
  var renderer = webgl
    ? citydiploWebgl.renderer(container, { nodes: nodes, edges: edges, meta: meta }, handlers)
    : visRenderer(container, handlers);
  api.renderer = renderer.name;
  document.body.dataset.renderer = renderer.name;
  about.appendChild(element("p", "Drawn with " + (webgl ? "sigma.js (WebGL)" : "vis-network") +
    (meta.renderer === "webgl" && !webgl ? ", as this browser offers no WebGL" : "") +
    ". This file is self-contained: it loads nothing from the network."));
  refreshEdges();
  if (meta.focus.length) {
    // The centre of an ego, exposure or path view: its details, nothing faded.
    select(meta.focus[0], false);
  }
})();
