// comity: the network view. Draws the graph of a year with Cytoscape.js from the JSON the page
// embeds (<script id="network-data">), and redraws it from /network/data when the year slider or
// the other controls change, without reloading the page. The legend, summary and table are
// redrawn from the same JSON (text only, never HTML), and the URL follows the controls.
(function () {
  "use strict";

  var state = { cy: null, request: 0, timer: null };

  // A seeded random generator (mulberry32): cose calls Math.random while it lays out, so the
  // layout is the same on every load only if those numbers are.
  function seeded(seed) {
    return function () {
      seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function elementsOf(picture) {
    var nodes = picture.nodes.map(function (n) {
      return { group: "nodes", data: n, position: { x: n.x, y: n.y } };
    });
    var edges = picture.edges.map(function (e) { return { group: "edges", data: e }; });
    return nodes.concat(edges);
  }

  var STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
      "label": "data(id)", "font-size": 13, "text-valign": "center", "text-halign": "center",
      "color": "#1b1b1b", "text-outline-color": "#ffffff", "text-outline-width": 1.5,
      "border-width": 1, "border-color": "#ffffff" } },
    { selector: "edge", style: {
      "width": "mapData(index, 0, 100, 0.4, 3.5)", "line-color": "#8a99a6", "opacity": 0.35,
      "curve-style": "haystack" } },
    { selector: "node:selected, node.hover", style: { "border-width": 3, "border-color": "#222222" } }
  ];

  function draw(container, picture) {
    if (state.cy) { state.cy.destroy(); state.cy = null; }
    container.dataset.rendered = "false";
    var cy = cytoscape({
      container: container, elements: elementsOf(picture), style: STYLE,
      layout: { name: "preset" }, minZoom: 0.2, maxZoom: 4
    });
    state.cy = cy;
    var saved = Math.random;
    Math.random = seeded(picture.year * 7919 + picture.edges.length);
    try {
      cy.layout({ name: "cose", randomize: false, animate: false, fit: true, padding: 24,
                  nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 60; },
                  numIter: 1000 }).run();
    } finally {
      Math.random = saved;
    }
    cy.on("tap", "node", function (event) {
      window.location.assign("/nations/" + encodeURIComponent(event.target.id()));
    });
    cy.on("mouseover", "node", function (event) {
      var n = event.target.data();
      event.target.addClass("hover");
      container.title = n.name + " (" + n.id + "): strength " + Math.round(n.strength) +
        ", " + n.partners + " partners";
      container.style.cursor = "pointer";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      container.title = ""; container.style.cursor = "";
    });
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
      if (c.lead) { item.append(document.createElement("br"), text("small", "with " + c.lead, "muted")); }
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

  function load(form, container) {
    var query = queryOf(form);
    var number = ++state.request;
    var status = document.getElementById("network-status");
    container.setAttribute("aria-busy", "true");
    fetch("/network/data?" + query, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
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
        if (!picture || number !== state.request) { return; }
        status.textContent = "";
        draw(container, picture);
        describe(picture);
        history.replaceState(null, "", "/network?" + query);
      })
      .catch(function (error) {
        if (number === state.request) { status.textContent = "The network could not be loaded: " + error.message; }
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
    if (!source || !container || !form || typeof cytoscape === "undefined") { return; }
    draw(container, JSON.parse(source.textContent));
    var slider = document.getElementById("network-year");
    var shown = document.getElementById("network-year-value");
    slider.addEventListener("input", function () {
      shown.textContent = slider.value;
      clearTimeout(state.timer);
      state.timer = setTimeout(function () { load(form, container); }, 150);
    });
    form.addEventListener("change", function (event) {
      if (event.target !== slider) { load(form, container); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load(form, container);
    });
    window.comityNetwork = { get cy() { return state.cy; }, reload: function () { load(form, container); } };
  }

  document.addEventListener("DOMContentLoaded", start);
})();
