/* citydiplo network view: the WebGL renderer (sigma.js 3 + graphology, from the inlined
 * views/js/dist/sigma-bundle.js), for graphs too large for vis-network's canvas.
 *
 * It implements the renderer interface view.js draws through (refresh, highlight, focus,
 * redrawStep, screenPosition) over a graphology graph built from the page's data once: node
 * positions from the precomputed layout (y flipped: sigma's y axis points up), sizes and
 * colours as the generator chose them. Filters and highlighting are sigma reducers, so
 * nothing is rebuilt when they change. sigma core has no dashed lines: dormant relations are
 * drawn thinner and lighter, ended ones thinner in grey. Labels are drawn by sigma on a 2D
 * canvas as text, never as HTML.
 */
(function () {
  "use strict";

  var FADED = "#e4e4e4";
  var FADED_EDGE = "#eeeeee";
  var EDGE_EVENTS = false;

  function webglAvailable() {
    try {
      var canvas = document.createElement("canvas");
      return !!(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch (error) {
      return false;
    }
  }

  function withAlpha(hex, alpha) {
    var value = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!value) return hex;
    var n = parseInt(value[1], 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  // data: {nodes, edges, meta}; handlers: firstDraw, click(id|null), hoverNode(id),
  // hoverEdge(id), blur.
  function webglRenderer(container, data, handlers) {
    var lib = window.CitydiploSigma;
    var large = data.meta.large;
    var graph = new lib.Graph({ type: "undirected", multi: true, allowSelfLoops: true });
    data.nodes.forEach(function (node) {
      graph.addNode(String(node.id), {
        x: node.x,
        y: -node.y,
        // vis-network's sizes are radii in canvas units; sigma's are screen pixels.
        size: Math.max(2, node.size / (large ? 4 : 2)),
        color: node.color,
        label: node.label
      });
    });
    data.edges.forEach(function (edge) {
      var plain = edge.dashes === false;
      var width = edge.relations > 1 ? Math.min(1 + Math.log2(edge.relations), 6) : 1;
      graph.addEdgeWithKey(String(edge.id), String(edge.from), String(edge.to), {
        color: plain ? withAlpha(edge.color, large ? 0.55 : 0.9) : withAlpha(edge.color, 0.45),
        size: plain ? width : Math.max(0.5, width / 2)
      });
    });

    var shown = function () { return true; };
    var near = null;
    var center = null;
    var sigma = new lib.Sigma(graph, container, {
      labelFont: "DejaVu Sans, Helvetica, Arial, sans-serif",
      labelSize: 13,
      labelWeight: "normal",
      labelRenderedSizeThreshold: 4,
      labelDensity: large ? 0.15 : 1,
      defaultEdgeType: "line",
      enableEdgeEvents: EDGE_EVENTS,
      hideEdgesOnMove: large,
      zIndex: true,
      stagePadding: 40,
      nodeReducer: function (key, attributes) {
        if (near === null) return attributes;
        if (key === center) {
          return Object.assign({}, attributes, { highlighted: true, forceLabel: true, zIndex: 2 });
        }
        if (near.has(Number(key))) return Object.assign({}, attributes, { forceLabel: true, zIndex: 1 });
        return Object.assign({}, attributes, { color: FADED, label: "", forceLabel: false, zIndex: 0 });
      },
      edgeReducer: function (key, attributes) {
        var edge = data.edges[Number(key)];
        if (!shown(edge)) return Object.assign({}, attributes, { hidden: true });
        if (near === null || center === null) return attributes;
        if (String(edge.from) !== center && String(edge.to) !== center) {
          return Object.assign({}, attributes, { color: FADED_EDGE, zIndex: 0 });
        }
        return Object.assign({}, attributes, { zIndex: 1 });
      }
    });

    var first = true;
    sigma.on("afterRender", function () {
      if (!first) return;
      first = false;
      handlers.firstDraw();
    });
    sigma.scheduleRender();
    sigma.on("clickNode", function (event) { handlers.click(Number(event.node)); });
    sigma.on("clickStage", function () { handlers.click(null); });
    sigma.on("enterNode", function (event) { handlers.hoverNode(Number(event.node)); });
    sigma.on("leaveNode", handlers.blur);
    sigma.on("enterEdge", function (event) { handlers.hoverEdge(Number(event.edge)); });
    sigma.on("leaveEdge", handlers.blur);
    sigma.getMouseCaptor().on("mousedown", handlers.blur);

    function nextRender() {
      // WebGL work runs after afterRender: the next frame starts once it has reached the screen.
      return new Promise(function (resolve) {
        sigma.once("afterRender", function () { requestAnimationFrame(resolve); });
      });
    }

    return {
      name: "webgl",
      sigma: sigma,
      refresh: function (predicate) { shown = predicate; sigma.refresh(); },
      highlight: function (nearIds, centerId) {
        near = nearIds;
        center = centerId === undefined || centerId === null ? null : String(centerId);
        sigma.refresh();
      },
      // Centre on the entity, zoomed so that its partners are on screen (on a large graph
      // at most to a tenth of the whole: a hub's partners span the world).
      focus: function (id) {
        var key = String(id);
        var at = sigma.getNodeDisplayData(key);
        var far = 0;
        graph.forEachNeighbor(key, function (other) {
          var there = sigma.getNodeDisplayData(other);
          far = Math.max(far, Math.abs(there.x - at.x), Math.abs(there.y - at.y));
        });
        // At ratio 1 the smaller side of the viewport spans 1 framed unit.
        var fit = 2.4 * far;
        var ratio = large ? Math.min(Math.max(fit, 0.03), 0.12) : Math.min(Math.max(fit, 0.2), 3);
        sigma.getCamera().setState({ x: at.x, y: at.y, ratio: ratio });
      },
      redrawStep: function (step) {
        var camera = sigma.getCamera();
        var state = camera.getState();
        var start = performance.now();
        var done = nextRender().then(function () { return performance.now() - start; });
        if (step % 2 === 0) {
          camera.setState({ ratio: state.ratio * (step % 4 === 0 ? 1 / 1.1 : 1.1) });
        } else {
          // 120 pixels of the viewport, in the camera's (framed graph) units.
          var from = sigma.viewportToFramedGraph({ x: 0, y: 0 });
          var to = sigma.viewportToFramedGraph({ x: 120, y: 0 });
          camera.setState({ x: state.x + (step % 4 === 1 ? 1 : -1) * (to.x - from.x) });
        }
        return done;
      },
      screenPosition: function (id) {
        var point = sigma.graphToViewport(graph.getNodeAttributes(String(id)));
        var box = container.getBoundingClientRect();
        return { x: box.left + point.x, y: box.top + point.y };
      }
    };
  }

  window.citydiploWebgl = { available: webglAvailable, renderer: webglRenderer };
})();
