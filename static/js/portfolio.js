// Qlib Pro paper trading: the value-history chart and small form glue.
// Loaded only on portfolio pages; no inline scripts (CSP).
(function () {
  "use strict";

  // Forms marked data-autosubmit (the account switcher) submit on change.
  document.addEventListener("change", function (e) {
    var form = e.target && e.target.form;
    if (form && form.hasAttribute("data-autosubmit")) form.submit();
  });

  // The value history against XJO, both rebased to 100 (data from the
  // page's JSON block #portfolio-history).
  function drawHistory() {
    var el = document.getElementById("value-chart");
    var src = document.getElementById("portfolio-history");
    if (!el || !src || el.getAttribute("data-drawn") || !window.LightweightCharts) return;
    var data;
    try { data = JSON.parse(src.textContent); } catch (err) { return; }
    el.setAttribute("data-drawn", "1");
    var LC = window.LightweightCharts;
    var chart = LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: "#8b949e" },
      grid: { vertLines: { color: "#1f2630" }, horzLines: { color: "#1f2630" } },
      rightPriceScale: { borderColor: "#2a3240" },
      timeScale: { borderColor: "#2a3240" }
    });
    var value = chart.addSeries(LC.LineSeries, { color: "#60a5fa", lineWidth: 2, title: "portfolio" });
    value.setData(data.value || []);
    if (data.bench && data.bench.length) {
      var bench = chart.addSeries(LC.LineSeries, { color: "#f59e0b", lineWidth: 1, title: "XJO" });
      bench.setData(data.bench);
    }
    chart.timeScale().fitContent();
  }
  document.addEventListener("DOMContentLoaded", drawHistory);
  document.addEventListener("htmx:afterSettle", drawHistory);
})();
