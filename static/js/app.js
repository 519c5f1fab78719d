// Qlib Pro browser glue: no framework, no inline scripts (CSP), htmx does the rest.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Toasts dismiss themselves.
  function armToasts(root) {
    (root || document).querySelectorAll(".toast:not([data-armed])").forEach(function (t) {
      t.setAttribute("data-armed", "1");
      setTimeout(function () { t.remove(); }, 8000);
      t.addEventListener("click", function () { t.remove(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { armToasts(); });
  document.addEventListener("htmx:afterSettle", function (e) { armToasts(e.target); });

  // A request that fails on the network (not an HTTP error) still tells the user.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast";
    t.setAttribute("role", "alert");
    t.textContent = "Network error: the server could not be reached.";
    box.appendChild(t);
    armToasts(box);
  });

  window.QlibPro = window.QlibPro || {};
})();
