// Qlib Pro live updates: one Server-Sent Events stream per page.
//
// The page names its stream in one [data-stream] element. HTML events replace
// the elements whose data-live-event is the event's name (data-live-swap:
// innerHTML by default, or outerHTML), through htmx so that swapped content
// is processed like any other; JSON quote events ("q") are re-dispatched on
// the document as "live:quote" for the charts.
//
// Browsers allow six HTTP/1.1 connections per host, and a page kept in the
// back/forward cache would keep its stream open: the stream is closed when
// the page is hidden or left (pagehide) and opened again, with a fresh
// snapshot from the server, when it is shown (pageshow, visibilitychange).
// Hidden tabs therefore hold no connection; tabs are not shared (see README).
(function () {
  "use strict";
  var source = null; // the open EventSource
  var url = null; // its URL
  var names = {}; // event names listened for on source
  var failures = 0;
  var timer = null;

  function streamURL() {
    var el = document.querySelector("[data-stream]");
    return el ? el.getAttribute("data-stream") : null;
  }

  function swapAll(name, html) {
    document.querySelectorAll('[data-live-event="' + CSS.escape(name) + '"]').forEach(function (el) {
      var style = el.getAttribute("data-live-swap") || "innerHTML";
      if (window.htmx && htmx.swap) {
        htmx.swap(el, html, { swapStyle: style });
      } else if (style === "outerHTML") {
        el.outerHTML = html;
      } else {
        el.innerHTML = html;
      }
    });
  }

  function onQuote(ev) {
    var q;
    try { q = JSON.parse(ev.data); } catch (e) { return; }
    document.dispatchEvent(new CustomEvent("live:quote", { detail: q }));
  }

  // listen adds a listener for every event name the page now shows.
  function listen() {
    if (!source) return;
    document.querySelectorAll("[data-live-event]").forEach(function (el) {
      var name = el.getAttribute("data-live-event");
      if (!name || names[name]) return;
      names[name] = true;
      source.addEventListener(name, function (ev) { swapAll(name, ev.data); });
    });
  }

  function open() {
    if (source || timer || document.hidden || !window.EventSource) return;
    url = streamURL();
    if (!url) return;
    source = new EventSource(url);
    names = { q: true };
    source.addEventListener("q", onQuote);
    source.addEventListener("open", function () {
      failures = 0;
      document.documentElement.setAttribute("data-live", "open");
    });
    source.addEventListener("error", function () {
      // A dropped connection is retried by the browser (CONNECTING); a
      // refused one (429 past the stream cap, 401 after sign-out) is closed
      // and retried here with a growing pause.
      if (!source || source.readyState !== EventSource.CLOSED) return;
      close();
      failures++;
      document.documentElement.setAttribute("data-live", "retrying");
      timer = setTimeout(function () { timer = null; open(); }, Math.min(60000, 2000 * Math.pow(2, failures - 1)));
    });
    listen();
  }

  function close() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (source) { source.close(); source = null; }
    document.documentElement.setAttribute("data-live", "closed");
  }

  // resume opens the stream at once, without waiting out a retry pause.
  function resume() {
    failures = 0;
    if (timer) { clearTimeout(timer); timer = null; }
    open();
  }

  document.addEventListener("DOMContentLoaded", open);
  window.addEventListener("pageshow", resume);
  window.addEventListener("pagehide", close);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { close(); } else { resume(); }
  });
  // A swap can change what the page follows (the board's filters): reopen
  // when the stream URL changed, else listen for the new rows' events.
  document.addEventListener("htmx:afterSettle", function () {
    if (streamURL() !== url) { close(); open(); } else { listen(); }
  });

  window.QlibPro = window.QlibPro || {};
  window.QlibPro.live = { open: open, close: close, state: function () { return source ? source.readyState : -1; } };
})();
