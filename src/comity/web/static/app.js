// comity: render every chart on the page, and again after HTMX swaps new content in.
// A chart is an element with data-vega="ID" where ID names a <script type="application/json">
// holding a Vega-Lite specification. Everything loads from /static: nothing from the internet.
(function () {
  "use strict";

  function renderCharts(root) {
    if (typeof vegaEmbed === "undefined") { return; }
    root.querySelectorAll("[data-vega]").forEach(function (element) {
      var source = document.getElementById(element.dataset.vega);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      vegaEmbed(element, spec, { actions: { export: true, source: false, compiled: false, editor: false },
                                 renderer: "svg" })
        .then(function () { element.dataset.rendered = "true"; })
        .catch(function (error) { element.textContent = "The chart could not be drawn: " + error; });
    });
  }

  window.comity = { renderCharts: renderCharts };
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // On history navigation the event has no target; a swapped-out target is detached.
    var target = event.detail && event.detail.target;
    renderCharts(target && target.isConnected ? target : document);
  });
})();
