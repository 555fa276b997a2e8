// The query page's script (publisher/web/templates/sparql.html), a file of its own: the
// Content-Security-Policy runs no inline script.
// Progressive enhancement: with YASGUI installed (`make`), replace the plain form by it,
// one tab per example query, plus a bar-chart view of the results. Without JavaScript
// (or without npm at build time) the page's plain form keeps working on its own.
function DiplographChart(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
DiplographChart.prototype.canHandleResults = function () {
  var r = this.yasr.results;
  return !!(r && r.getVariables && r.getVariables().length >= 2 && r.getBindings().length);
};
DiplographChart.prototype.getIcon = function () {
  var icon = document.createElement("span");
  icon.textContent = "\u2587";
  return icon;
};
DiplographChart.prototype.draw = function () {
  var vars = this.yasr.results.getVariables();
  var rows = this.yasr.results.getBindings();
  var numeric = vars.find(function (v) {
    return rows.every(function (b) { return b[v] && !isNaN(parseFloat(b[v].value)); });
  });
  var el = this.yasr.resultsEl;
  if (!numeric) { el.textContent = "No numeric column to chart."; return; }
  var label = vars.find(function (v) { return v !== numeric; });
  var bars = rows.slice(0, 30).map(function (b) {
    var name = b[label] ? b[label].value.split("/").pop() : "";
    return [name, parseFloat(b[numeric].value)];
  });
  var peak = Math.max.apply(null, bars.map(function (b) { return Math.abs(b[1]); })) || 1;
  var ns = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "sparql-chart");
  svg.setAttribute("width", "640");
  svg.setAttribute("height", String(20 * bars.length + 10));
  bars.forEach(function (bar, i) {
    var text = document.createElementNS(ns, "text");
    text.setAttribute("x", "0"); text.setAttribute("y", String(20 * i + 14));
    text.textContent = bar[0].slice(0, 28);
    var rect = document.createElementNS(ns, "rect");
    rect.setAttribute("class", "bar"); rect.setAttribute("x", "200");
    rect.setAttribute("y", String(20 * i + 3)); rect.setAttribute("height", "14");
    rect.setAttribute("width", String(Math.abs(bar[1]) / peak * 380));
    var value = document.createElementNS(ns, "text");
    value.setAttribute("x", String(205 + Math.abs(bar[1]) / peak * 380));
    value.setAttribute("y", String(20 * i + 14)); value.textContent = String(bar[1]);
    svg.appendChild(text); svg.appendChild(rect); svg.appendChild(value);
  });
  el.innerHTML = "";
  el.appendChild(svg);
};

window.addEventListener("DOMContentLoaded", function () {
  if (typeof Yasgui === "undefined") return;
  Yasgui.Yasr.registerPlugin("chart", DiplographChart);
  var holder = document.getElementById("yasgui");
  var examplesNode = document.getElementById("sparql-examples");
  var examples = examplesNode ? JSON.parse(examplesNode.textContent) : [];
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: holder.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null
  });
  window.diplographYasgui = yasgui;
  var first = yasgui.getTab();
  if (first) first.setQuery(document.getElementById("query").value);
  document.getElementById("sparql-form").hidden = true;
  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var example = examples[Number(link.dataset.example)];
      var tab = yasgui.addTab(true, { name: example.name });
      tab.setQuery(example.query);
      holder.scrollIntoView();
    });
  });
});
