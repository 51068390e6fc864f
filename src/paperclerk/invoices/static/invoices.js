/* paperclerk invoice pages: the inbox refreshes itself while invoices are being read; on the review page a field
 * and its evidence box light each other up (hover and keyboard focus).
 * Plain ES2017, no inline code: the pages work without it.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;

  // ---- invoice inbox: rows re-rendered by the server while an invoice is still being read ----------------------

  var list = document.querySelector("table[data-invoices]");
  if (list) { setUpInbox(list); }

  function setUpInbox(table) {
    var timer = null;
    var inFlight = false;
    var pending = 0;  // uploads answered in the last moments whose invoice may not be listed yet

    function reading() {
      return table.querySelector("tbody tr[data-invoice-status='received']") !== null;
    }

    function schedule() {
      clearTimeout(timer);
      timer = null;
      var live = document.querySelector("[data-invoices-live]");
      var active = reading() || pending > 0;
      if (live) { live.hidden = !active; }
      if (active) { timer = setTimeout(refresh, POLL_MS); }
    }

    function refresh() {
      if (inFlight) { return; }
      if (document.hidden) { timer = setTimeout(refresh, POLL_MS); return; }
      inFlight = true;
      fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("table[data-invoices] tbody");
          var body = table.querySelector("tbody");
          if (fresh && body) { body.replaceWith(document.importNode(fresh, true)); }
        })
        .catch(function () { /* keep the rows shown; try again */ })
        .then(function () {
          inFlight = false;
          if (pending > 0) { pending -= 1; }
          schedule();
        });
    }

    document.addEventListener("paperclerk:uploaded", function () {
      pending = 3;
      refresh();
    });
    document.addEventListener("visibilitychange", function () { if (!document.hidden && reading()) { refresh(); } });
    schedule();
  }

  // ---- review page: field <-> evidence box ---------------------------------------------------------------------

  var evidence = document.querySelectorAll("svg[data-evidence] [data-field]");
  if (evidence.length) { setUpEvidence(); }

  function setUpEvidence() {
    function light(name, on) {
      document.querySelectorAll("[data-field]").forEach(function (node) {
        if (node.getAttribute("data-field") === name) { node.classList.toggle("is-active", on); }
      });
    }

    function scrollIntoView(name) {
      var box = document.querySelector("svg[data-evidence] g[data-field='" + name + "']");
      if (!box || !box.getBoundingClientRect) { return; }
      var rect = box.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) { box.scrollIntoView({ block: "center" }); }
    }

    document.querySelectorAll("tr[data-field][data-has-box]").forEach(function (row) {
      var name = row.getAttribute("data-field");
      row.addEventListener("mouseenter", function () { light(name, true); });
      row.addEventListener("mouseleave", function () { light(name, false); });
      row.addEventListener("focus", function () { light(name, true); scrollIntoView(name); });
      row.addEventListener("blur", function () { light(name, false); });
    });
    document.querySelectorAll("svg[data-evidence] g[data-field]").forEach(function (box) {
      var name = box.getAttribute("data-field");
      box.addEventListener("mouseenter", function () { light(name, true); });
      box.addEventListener("mouseleave", function () { light(name, false); });
      box.addEventListener("click", function () {
        var row = document.querySelector("tr[data-field='" + name + "']");
        if (row) { row.focus(); }
      });
    });
  }
})();
