// Candlestick + volume charts with lightweight-charts v5. Each [data-chart]
// element loads its candles from data-src and keeps its last bar current from
// the trades of its code (data-code) on the page's stream (live.js).
// lightweight-charts draws UTC only, so intraday times arrive already shifted
// to Sydney wall-clock time and live trades are shifted the same way with the
// offset each event carries.
(function () {
  "use strict";
  var LC = window.LightweightCharts;
  var charts = new Map();

  function bucketOf(el, q) {
    var local = Math.floor(q.t / 1000) + (q.off || 0);
    var iv = el.dataset.interval;
    var minutes = { "1m": 1, "5m": 5, "15m": 15, "1h": 60 }[iv];
    if (minutes) return local - (local % (minutes * 60));
    var d = new Date(local * 1000);
    if (iv === "1W") {
      var wd = (d.getUTCDay() + 6) % 7;
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - wd));
    } else if (iv === "1M") {
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
    }
    return d.toISOString().slice(0, 10);
  }

  function after(a, b) { return typeof a === "number" ? a > b : String(a) > String(b); }

  function setup(el) {
    if (!LC || el.dataset.ready) return;
    el.dataset.ready = "1";
    var chart = LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: "#161b22" }, textColor: "#8b949e" },
      grid: { vertLines: { color: "#1f2630" }, horzLines: { color: "#1f2630" } },
      timeScale: { timeVisible: el.dataset.intraday === "true", secondsVisible: false, borderColor: "#2a3240" },
      rightPriceScale: { borderColor: "#2a3240" },
    });
    var candles = chart.addSeries(LC.CandlestickSeries, {
      upColor: "#22c55e", downColor: "#ef4444", borderVisible: false, wickUpColor: "#22c55e", wickDownColor: "#ef4444",
    });
    var volume = chart.addSeries(LC.HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "vol", color: "#3b82f6" });
    chart.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    var state = { chart: chart, listener: null, last: null };
    charts.set(el, state);

    fetch(el.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var bars = data.bars || [];
        // Simulated sessions' bars (b.sim) are drawn faded.
        candles.setData(bars.map(function (b) {
          var c = { time: b.time, open: b.open, high: b.high, low: b.low, close: b.close };
          if (b.sim) { c.color = c.wickColor = b.close >= b.open ? "rgba(34,197,94,.4)" : "rgba(239,68,68,.4)"; }
          return c;
        }));
        volume.setData(bars.map(function (b) { return { time: b.time, value: b.volume, color: b.close >= b.open ? "rgba(34,197,94," + (b.sim ? ".2)" : ".45)") : "rgba(239,68,68," + (b.sim ? ".2)" : ".45)") }; }));
        el.dataset.sim = String(bars.filter(function (b) { return b.sim; }).length);
        if (data.overlay && data.overlay.points && data.overlay.points.length) {
          var score = chart.addSeries(LC.LineSeries, { color: "#f59e0b", lineWidth: 2, priceScaleId: "left", title: data.overlay.model });
          chart.priceScale("left").applyOptions({ visible: true, borderColor: "#2a3240" });
          score.setData(data.overlay.points);
          el.dataset.overlay = String(data.overlay.points.length);
        }
        // A chosen backtest's trades of this code, as markers (daily only).
        if (data.markers && data.markers.length && LC.createSeriesMarkers) {
          LC.createSeriesMarkers(candles, data.markers);
          el.dataset.markers = String(data.markers.length);
        }
        chart.timeScale().fitContent();
        state.last = bars.length ? Object.assign({}, bars[bars.length - 1]) : null;
        el.dataset.bars = String(bars.length);
        el.dispatchEvent(new CustomEvent("chart:loaded", { bubbles: true, detail: { bars: bars.length } }));
        // Trades arrive on the page's one stream (live.js) as "live:quote".
        state.listener = function (ev) {
          var q = ev.detail;
          if (!q || q.code !== el.dataset.code || !q.t || !q.trade) return;
          var t = bucketOf(el, q);
          var b = state.last;
          if (!b || after(t, b.time)) {
            b = { time: t, open: q.trade, high: q.trade, low: q.trade, close: q.trade, volume: 0 };
          } else if (String(t) !== String(b.time)) {
            return; // older than the last bar: nothing to draw
          }
          b.high = Math.max(b.high, q.trade);
          b.low = Math.min(b.low, q.trade);
          b.close = q.trade;
          b.volume += q.size || 0;
          state.last = b;
          var c = { time: b.time, open: b.open, high: b.high, low: b.low, close: b.close };
          if (b.sim) { c.color = c.wickColor = b.close >= b.open ? "rgba(34,197,94,.4)" : "rgba(239,68,68,.4)"; }
          candles.update(c);
          volume.update({ time: b.time, value: b.volume, color: b.close >= b.open ? "rgba(34,197,94,.45)" : "rgba(239,68,68,.45)" });
          el.dataset.updates = String((+el.dataset.updates || 0) + 1);
        };
        document.addEventListener("live:quote", state.listener);
      })
      .catch(function (err) {
        el.textContent = "The chart could not be loaded (" + err.message + ").";
        el.classList.add("muted");
      });
  }

  function teardown(root) {
    charts.forEach(function (state, el) {
      if (root.contains(el)) {
        if (state.listener) document.removeEventListener("live:quote", state.listener);
        state.chart.remove();
        charts.delete(el);
      }
    });
  }

  // Line charts whose points are in the element: data-points-a (and -b … -f,
  // for comparisons) hold JSON [{time, value}], data-series-a … -f their names.
  function setupLine(el) {
    if (!LC || el.dataset.ready) return;
    el.dataset.ready = "1";
    var chart = LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: "#161b22" }, textColor: "#8b949e" },
      grid: { vertLines: { color: "#1f2630" }, horzLines: { color: "#1f2630" } },
      rightPriceScale: { borderColor: "#2a3240" }, timeScale: { borderColor: "#2a3240" },
    });
    var colors = { a: "#60a5fa", b: "#f59e0b", c: "#22c55e", d: "#ef4444", e: "#a78bfa", f: "#f472b6" };
    var drawn = 0;
    ["a", "b", "c", "d", "e", "f"].forEach(function (k) {
      var raw = el.dataset["points" + k.toUpperCase()] || el.getAttribute("data-points-" + k);
      if (!raw) return;
      var pts;
      try { pts = JSON.parse(raw); } catch (e) { return; }
      var series = chart.addSeries(LC.LineSeries, { color: colors[k], lineWidth: 2, title: el.getAttribute("data-series-" + k) || "" });
      series.setData(pts);
      drawn += pts.length;
    });
    chart.timeScale().fitContent();
    el.dataset.points = String(drawn);
    charts.set(el, { chart: chart, listener: null });
  }

  function scan(root) {
    root = root || document;
    root.querySelectorAll("[data-chart]").forEach(setup);
    root.querySelectorAll("[data-line-chart]").forEach(setupLine);
    if (root.matches && root.matches("[data-line-chart]")) setupLine(root);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:beforeCleanupElement", function (e) { teardown(e.target); });
  document.addEventListener("htmx:afterSettle", function (e) { scan(e.target); });
  window.QlibPro = window.QlibPro || {};
  window.QlibPro.charts = charts;
})();
