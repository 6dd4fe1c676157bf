// comity: what every page shares. Everything loads from /static, nothing from the internet, and
// nothing is evaluated from text: the Content-Security-Policy allows scripts from this site only
// (no inline scripts, no event-handler attributes, no eval), so behaviour hangs on data-*
// attributes here instead.
(function () {
  "use strict";

  // A chart is an element with data-vega="ID" where ID names a <script type="application/json">
  // holding a Vega-Lite specification. Vega compiles expressions with new Function, which the
  // policy refuses: `ast: true` makes it use the interpreter vega-embed bundles
  // (vega-interpreter) instead. vega-embed and its tooltips would also inject <style> elements;
  // their rules come from /static/vendor/vega-embed.css and vega-tooltip.css instead.
  var EMBED_OPTIONS = {
    actions: { export: true, source: false, compiled: false, editor: false },
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    forceActionsMenu: true,
    tooltip: { disableDefaultStyle: true },
    i18n: { CLICK_TO_VIEW_ACTIONS: "Save the chart as SVG or PNG" }
  };

  // vega-embed's actions button is three dots and no text: name it.
  function labelActions(element) {
    var summary = element.querySelector("details > summary");
    if (summary) { summary.setAttribute("aria-label", "Save the chart"); }
  }

  function renderCharts(root) {
    if (typeof vegaEmbed === "undefined") { return; }
    root.querySelectorAll("[data-vega]").forEach(function (element) {
      var source = document.getElementById(element.dataset.vega);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      vegaEmbed(element, spec, EMBED_OPTIONS)
        .then(function () { labelActions(element); element.dataset.rendered = "true"; })
        .catch(function (error) { element.textContent = "The chart could not be drawn: " + error; });
    });
  }

  // Behaviours named by attributes: data-submit-on-change on a form control, data-print and
  // data-history-back on a button or link.
  function onChange(event) {
    var control = event.target;
    if (control.matches && control.matches("[data-submit-on-change]") && control.form) {
      control.form.submit();
    }
  }

  function onClick(event) {
    var target = event.target.closest ? event.target.closest("[data-print], [data-history-back]") : null;
    if (!target) { return; }
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (window.history.length > 1) {
      // Without a page to go back to, the link's own href (the dashboard) is followed.
      event.preventDefault();
      window.history.back();
    }
  }

  window.comity = { renderCharts: renderCharts };
  document.addEventListener("change", onChange);
  document.addEventListener("click", onClick);
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // On history navigation the event has no target; a swapped-out target is detached.
    var target = event.detail && event.detail.target;
    renderCharts(target && target.isConnected ? target : document);
  });
})();
