// comity: the network view. Draws the graph of a year with sigma.js (WebGL) from the JSON the page
// embeds (<script id="network-data">). Every nation comes with its position, laid out on the
// server so that it stays where it was the year before, and the picture with the frame of every
// year: the browser only draws, and never lays out. When the year slider or the other controls
// change, the picture is fetched from /network/data (each one once per visit) and drawn in the
// same view; the legend, summary and table are redrawn from the same JSON (text only, never
// HTML), and the URL follows the controls. Names are placed here, not by sigma's label grid:
// the strongest nations first, each only where it overlaps no name already placed, so the
// picture names the nations that matter at any zoom and more appear as one zooms in.
(function () {
  "use strict";

  // Opaque colours: sigma blends a translucent colour over the white page to white.
  var EDGE = "#c8ced4";
  var EDGE_NEAR = "#5a5a5a";
  var FADED = "#e4e4e4";
  var KEPT = 60;
  var REFRESH_MS = 2000;
  // Names: one size in CSS pixels whatever the zoom or the node's size, readable on a phone.
  var LABEL = {
    size: 13, weight: "600", gap: 3, margin: 3,
    font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
  };
  var state = {
    renderer: null, graph: null, hovered: null, neighbours: null,
    request: 0, controller: null, pictures: new Map(), refresh: null,
    ranked: [], labelled: new Map(), widths: new Map(), measure: null
  };

  // The server gives diameters (14 to 60 for the strongest); sigma wants radii in pixels.
  function radius(size) { return 1.5 + size / 5; }

  function graphOf(picture) {
    var graph = new graphology.UndirectedGraph();
    picture.nodes.forEach(function (n) {
      graph.addNode(n.id, {
        x: n.x, y: n.y, size: radius(n.size), color: n.colour, label: n.id,
        name: n.name, strength: n.strength, partners: n.partners
      });
    });
    picture.edges.forEach(function (e) {
      graph.addEdgeWithKey(e.id, e.source, e.target, {
        size: 0.5 + e.index * 0.025, color: EDGE, index: e.index
      });
    });
    return graph;
  }

  function labelWidth(text) {
    if (!state.widths.has(text)) {
      if (!state.measure) { state.measure = document.createElement("canvas").getContext("2d"); }
      state.measure.font = LABEL.weight + " " + LABEL.size + "px " + LABEL.font;
      state.widths.set(text, state.measure.measureText(text).width);
    }
    return state.widths.get(text);
  }

  // The box a node's name takes on screen, right of the node (or left of it), as drawLabel
  // draws it.
  function labelBox(node, side) {
    var renderer = state.renderer;
    var data = renderer.getNodeDisplayData(node);
    if (!data || data.hidden) { return null; }
    var attributes = state.graph.getNodeAttributes(node);
    // The camera as it is now: the renderer's own matrix waits for the next frame.
    var at = renderer.graphToViewport(attributes, { cameraState: renderer.getCamera().getState() });
    var width = labelWidth(attributes.label);
    var offset = renderer.scaleSize(data.size) + LABEL.gap;
    var left = side === "left" ? at.x - offset - width : at.x + offset;
    return {
      node: node, side: side, left: left, right: left + width,
      top: at.y - LABEL.size * 0.8, bottom: at.y + LABEL.size * 0.4
    };
  }

  // The nations to name at the current zoom: strongest first, each where its name (right of
  // the node, else left of it, with a margin) overlaps no name already placed and fits in the
  // picture.
  function chooseLabels() {
    var dimensions = state.renderer.getDimensions();
    var placed = [];
    function fits(box) {
      if (!box || box.left < 0 || box.top < 0 || box.right > dimensions.width ||
          box.bottom > dimensions.height) { return false; }
      return placed.every(function (other) {
        return box.left > other.right + LABEL.margin || box.right + LABEL.margin < other.left ||
          box.top > other.bottom + LABEL.margin || box.bottom + LABEL.margin < other.top;
      });
    }
    state.ranked.forEach(function (node) {
      var right = labelBox(node, "right");
      if (fits(right)) { placed.push(right); return; }
      var left = labelBox(node, "left");
      if (fits(left)) { placed.push(left); }
    });
    return placed;
  }

  function relabel() {
    if (!state.renderer || !state.graph) { return; }
    var chosen = new Map(chooseLabels().map(function (box) { return [box.node, box.side]; }));
    var same = chosen.size === state.labelled.size &&
      Array.from(chosen).every(function (entry) { return state.labelled.get(entry[0]) === entry[1]; });
    if (same) { return; }
    state.labelled = chosen;
    state.renderer.refresh({ skipIndexation: true });
  }

  // A name with a white halo, so that it reads over ties and nodes; right of the node unless
  // chooseLabels() found room only on its left.
  function drawLabel(context, data, settings) {
    if (!data.label) { return; }
    var size = settings.labelSize;
    var left = data.labelSide === "left";
    var x = left ? data.x - data.size - LABEL.gap : data.x + data.size + LABEL.gap;
    context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
    context.textAlign = left ? "right" : "left";
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = "#ffffff";
    context.strokeText(data.label, x, data.y + size / 3);
    context.fillStyle = settings.labelColor.color;
    context.fillText(data.label, x, data.y + size / 3);
    context.textAlign = "left";
  }

  // Pointing at a nation keeps it, its partners and their ties in colour and names them all.
  function nodeReducer(node, data) {
    if (!state.hovered) {
      var side = state.labelled.get(node);
      return side ? Object.assign({}, data, { forceLabel: true, labelSide: side }) : data;
    }
    if (node === state.hovered) {
      return Object.assign({}, data, { label: data.name + " (" + node + ")", highlighted: true, zIndex: 2 });
    }
    if (state.neighbours.has(node)) { return Object.assign({}, data, { forceLabel: true, zIndex: 1 }); }
    return Object.assign({}, data, { color: FADED, label: "", zIndex: 0 });
  }

  function edgeReducer(edge, data) {
    if (!state.hovered) { return data; }
    if (state.graph.hasExtremity(edge, state.hovered)) {
      return Object.assign({}, data, { color: EDGE_NEAR, size: data.size + 0.6, zIndex: 1 });
    }
    return Object.assign({}, data, { hidden: true });
  }

  function hover(container, node) {
    state.hovered = node;
    state.neighbours = node ? new Set(state.graph.neighbors(node)) : null;
    if (node) {
      var n = state.graph.getNodeAttributes(node);
      container.title = n.name + " (" + node + "): strength " + Math.round(n.strength) +
        ", " + n.partners + " partners";
      container.style.cursor = "pointer";
    } else {
      container.title = "";
      container.style.cursor = "";
    }
    state.renderer.refresh({ skipIndexation: true });
  }

  function create(container, graph) {
    var renderer = new Sigma(graph, container, {
      allowInvalidContainer: true, zIndex: true, stagePadding: 24,
      minCameraRatio: 0.08, maxCameraRatio: 3,
      labelFont: LABEL.font, labelSize: LABEL.size, labelWeight: LABEL.weight,
      labelColor: { color: "#1b1b1b" }, defaultDrawNodeLabel: drawLabel,
      // Sigma's own grid names no node (density 0): chooseLabels() forces the names shown.
      labelDensity: 0, labelRenderedSizeThreshold: 0,
      defaultEdgeType: "line", nodeReducer: nodeReducer, edgeReducer: edgeReducer
    });
    renderer.getCamera().on("updated", relabel);
    renderer.on("resize", relabel);
    renderer.on("enterNode", function (event) { hover(container, event.node); });
    renderer.on("leaveNode", function () { hover(container, null); });
    renderer.on("clickNode", function (event) {
      window.location.assign("/nations/" + encodeURIComponent(event.node));
    });
    return renderer;
  }

  // Without WebGL sigma cannot start (its script stops as it loads): the legend, summary and
  // table still follow the controls.
  function unavailable(container) {
    container.classList.add("unavailable");
    container.textContent = "This browser cannot draw the graph (it needs WebGL); " +
      "the table below lists the strongest nations.";
    container.dataset.rendered = "unavailable";
  }

  function draw(container, picture) {
    container.dataset.rendered = "false";
    var graph = graphOf(picture);
    state.graph = graph;
    state.ranked = picture.nodes.map(function (n) { return n.id; });  // strongest first
    state.labelled = new Map();
    if (state.hovered && !graph.hasNode(state.hovered)) { state.hovered = null; state.neighbours = null; }
    if (state.hovered) { state.neighbours = new Set(graph.neighbors(state.hovered)); }
    var frame = { x: picture.extent.x, y: picture.extent.y };
    if (state.renderer) {
      // One renderer for every year: the view (zoom, pan) stays as the reader left it.
      state.renderer.setCustomBBox(frame);
      state.renderer.setGraph(graph);  // draws at once
    } else {
      try {
        state.renderer = create(container, graph);
      } catch (error) {
        unavailable(container);
        return;
      }
      state.renderer.setCustomBBox(frame);
      state.renderer.refresh();
    }
    relabel();
    container.dataset.year = String(picture.year);
    container.dataset.nodes = String(picture.nodes.length);
    container.dataset.edges = String(picture.edges.length);
    container.setAttribute("aria-label", "Network graph of " + picture.nodes.length +
      " nations and " + picture.edges.length + " ties in " + picture.year +
      "; the table below lists the strongest nations.");
    container.dataset.rendered = "true";
  }

  function text(tag, content, className) {
    var element = document.createElement(tag);
    if (content !== undefined && content !== null) { element.textContent = String(content); }
    if (className) { element.className = className; }
    return element;
  }

  function swatch(colour) {
    var element = text("span", null, "swatch");
    element.style.background = colour;
    return element;
  }

  function describe(picture) {
    var summary = document.getElementById("network-summary");
    summary.replaceChildren(text("strong", picture.summary_text), document.createTextNode(" "),
                            text("span", picture.shown_text, "muted"));
    summary.lastChild.id = "network-shown";
    var list = document.getElementById("network-communities");
    list.replaceChildren();
    picture.communities.forEach(function (c) {
      var item = document.createElement("li");
      item.append(swatch(c.colour), text("strong", c.name), document.createTextNode(" "),
                  text("span", "(" + c.size + " nations)", "muted"));
      list.append(item);
    });
    if (!picture.communities.length) { list.append(text("li", "No communities this year.", "muted")); }
    document.getElementById("network-table-year").textContent = String(picture.year);
    document.getElementById("network-table-caption").textContent = "The " + picture.table.length +
      " strongest of " + picture.table_total + " nations with ties. Partners: ties with an index " +
      "of 10 or more; strength: the sum of the nation's index values; eigenvector: centrality " +
      "(1 = the most central).";
    var body = document.querySelector("#network-table tbody");
    body.replaceChildren();
    picture.table.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.dataset.nation = row.id;
      var name = document.createElement("th");
      name.scope = "row";
      var link = text("a", row.name);
      link.href = "/nations/" + encodeURIComponent(row.id);
      name.append(link, document.createTextNode(" "), text("small", row.id, "muted"));
      var community = document.createElement("td");
      community.append(swatch(row.colour), document.createTextNode(row.community));
      tr.append(text("td", row.rank, "num"), name, text("td", row.partners, "num"),
                text("td", row.strength, "num"), text("td", row.eigenvector, "num"), community);
      body.append(tr);
    });
    document.title = "Network in " + picture.year + " · comity";
  }

  function queryOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value !== "") { params.set(name, value); } });
    return params.toString();
  }

  function show(form, container, picture, query) {
    document.getElementById("network-status").textContent = "";
    if (container.dataset.rendered !== "unavailable") { draw(container, picture); }
    describe(picture);
    refreshLater(form, container, picture);
    history.replaceState(null, "", "/network?" + query);
  }

  // A picture of the data before recent changes (the new one is being computed): say so, and
  // ask again shortly; such a picture is not kept.
  function refreshLater(form, container, picture) {
    var note = document.getElementById("network-refreshing");
    if (note) { note.hidden = !picture.refreshing; }
    if (!picture.refreshing || state.refresh) { return; }
    state.refresh = setTimeout(function () {
      state.refresh = null;
      state.pictures.clear();
      load(form, container);
    }, REFRESH_MS);
  }

  function load(form, container) {
    var query = queryOf(form);
    var number = ++state.request;
    var status = document.getElementById("network-status");
    var kept = state.pictures.get(query);
    if (state.controller) { state.controller.abort(); state.controller = null; }
    if (kept) {
      container.removeAttribute("aria-busy");
      show(form, container, kept, query);
      return;
    }
    var controller = typeof AbortController === "undefined" ? null : new AbortController();
    state.controller = controller;
    container.setAttribute("aria-busy", "true");
    fetch("/network/data?" + query, {
      headers: { "Accept": "application/json" }, credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign("/login?next=" + encodeURIComponent("/network?" + query));
          return null;
        }
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.errors ? body.errors.join("; ") : body.error); }
          return body;
        });
      })
      .then(function (picture) {
        if (!picture) { return; }
        if (!picture.refreshing) { state.pictures.set(query, picture); }
        if (state.pictures.size > KEPT) { state.pictures.delete(state.pictures.keys().next().value); }
        if (number === state.request) { show(form, container, picture, query); }
      })
      .catch(function (error) {
        if (number === state.request && error.name !== "AbortError") {
          status.textContent = "The network could not be loaded: " + error.message;
        }
      })
      .finally(function () { if (number === state.request) { container.removeAttribute("aria-busy"); } });
  }

  // The page's own swatches carry their colour as data-colour: a style="" attribute is an
  // inline style, which the Content-Security-Policy refuses; a property set here is not.
  function paintSwatches() {
    document.querySelectorAll(".swatch[data-colour]").forEach(function (element) {
      element.style.background = element.dataset.colour;
    });
  }

  function start() {
    paintSwatches();
    var source = document.getElementById("network-data");
    var container = document.getElementById("network-graph");
    var form = document.getElementById("network-form");
    if (!source || !container || !form) { return; }
    var picture = JSON.parse(source.textContent);
    if (!picture.refreshing) { state.pictures.set(queryOf(form), picture); }
    if (typeof Sigma === "undefined" || typeof graphology === "undefined") {
      unavailable(container);
    } else {
      draw(container, picture);
    }
    refreshLater(form, container, picture);
    var slider = document.getElementById("network-year");
    var shown = document.getElementById("network-year-value");
    // Each step of the slider asks for its year at once: the answer is small and quick, an
    // answer overtaken by a later step is dropped, and the request it belongs to cancelled.
    slider.addEventListener("input", function () {
      shown.textContent = slider.value;
      load(form, container);
    });
    form.addEventListener("change", function (event) {
      if (event.target !== slider) { load(form, container); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load(form, container);
    });
    window.comityNetwork = {
      get renderer() { return state.renderer; },
      get graph() { return state.graph; },
      // The names placed at the current zoom, strongest first, with their boxes on screen.
      labels: function () { return chooseLabels(); },
      // Where a nation is drawn, in the page's coordinates (for tests and tours).
      pointOf: function (node) {
        var at = state.renderer.graphToViewport(state.graph.getNodeAttributes(node));
        var box = container.getBoundingClientRect();
        return { x: box.left + at.x, y: box.top + at.y };
      },
      reload: function () { load(form, container); }
    };
  }

  document.addEventListener("DOMContentLoaded", start);
})();
