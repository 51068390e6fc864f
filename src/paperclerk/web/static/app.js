/* paperclerk web pages: uploads, live status updates, small conveniences.
 * Plain ES2017, no build step, no inline code: the pages work without it, this makes them live.
 * Everything user-supplied is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var ACTIVE = { queued: true, processing: true };
  var LABELS = {
    queued: "Queued", processing: "Processing", processed: "Processed",
    needs_review: "Needs review", failed: "Failed"
  };

  document.documentElement.classList.add("js");

  // ---- helpers -------------------------------------------------------------------------------

  function label(value) {
    if (!value) { return "—"; }
    if (LABELS[value]) { return LABELS[value]; }
    var text = String(value).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function filesize(size) {
    if (size === null || size === undefined) { return "—"; }
    var units = ["bytes", "KB", "MB", "GB"];
    var value = size;
    for (var i = 0; i < units.length; i++) {
      if (value < 1024 || i === units.length - 1) {
        return i === 0 ? Math.floor(value) + " bytes" : value.toFixed(1) + " " + units[i];
      }
      value /= 1024;
    }
    return size + " bytes";
  }

  function pad(number) { return number < 10 ? "0" + number : String(number); }

  function when(iso) {
    if (!iso) { return "—"; }
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return iso; }
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) + " " +
      pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) + " UTC";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "className") { node.className = attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function badge(status) {
    return el("span", { className: "badge badge-" + status, "data-status-badge": "", text: label(status) });
  }

  // The page's CSRF token: every POST made by this script sends it (the session cookie alone is not enough).
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function postHeaders() {
    return { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  }

  // A session that ended (logout elsewhere, expiry): reload, and the server sends the login page.
  function loggedOut(response) {
    if (response.status === 401) { window.location.reload(); return true; }
    return false;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (loggedOut(response)) { throw new Error("logged out"); }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function errorOf(body, response) {
    if (body && body.error) { return body.error; }
    return { code: "HTTP_" + response.status, message: "The server answered " + response.status + "." };
  }

  // ---- filters: a changed select applies at once ---------------------------------------------

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    });
  });

  // ---- forms with line rows: "Add a line" copies the last row, empty --------------------------

  document.querySelectorAll("button[data-add-line]").forEach(function (button) {
    var rows = button.form.querySelector("[data-line-rows] tbody");
    button.hidden = false;
    button.addEventListener("click", function () {
      var last = rows.querySelector("tr[data-line-row]:last-child");
      var row = last.cloneNode(true);
      var position = rows.querySelectorAll("tr[data-line-row]").length + 1;
      row.querySelector("[data-line-position]").textContent = String(position);
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\d+$/, String(position)));
      });
      rows.appendChild(row);
      row.querySelector("input").focus();
    });
  });

  // ---- inbox: the document list, updated live ------------------------------------------------

  var table = document.querySelector("table[data-documents]");
  var list = table ? createList(table) : null;

  function createList(tableNode) {
    var body = tableNode.querySelector("[data-documents-body]");
    var totalNode = document.querySelector("[data-total]");
    var rangeNode = document.querySelector("[data-range]");
    var liveNode = document.querySelector("[data-live]");
    var timer = null;
    var inFlight = false;

    function hasActive() {
      return Array.prototype.some.call(body.querySelectorAll("tr[data-status]"), function (row) {
        return ACTIVE[row.getAttribute("data-status")];
      });
    }

    function row(doc) {
      var file = el("td", { className: "file" }, [
        el("a", { href: "/documents/" + encodeURIComponent(doc.id), text: doc.filename }),
        el("span", { className: "sub", text: filesize(doc.size_bytes) + (doc.parent_id ? " · attachment" : "") })
      ]);
      var error = doc.error
        ? el("code", { className: "error-code", title: doc.error.message || "", text: doc.error.code })
        : el("span", { className: "muted", text: "—" });
      return el("tr", { "data-id": doc.id, "data-status": doc.status }, [
        file,
        el("td", {}, [badge(doc.status)]),
        el("td", { text: label(doc.kind) }),
        el("td", { text: doc.language || "—" }),
        el("td", { className: "num", text: doc.page_count === null ? "—" : String(doc.page_count) }),
        el("td", {}, [el("time", { datetime: doc.created_at, text: when(doc.created_at) })]),
        el("td", {}, [error])
      ]);
    }

    function render(data) {
      var rows = data.items.map(row);
      if (!rows.length) {
        var filtered = tableNode.getAttribute("data-status") || tableNode.getAttribute("data-kind");
        var canUpload = tableNode.getAttribute("data-can-upload") === "true";
        rows = [el("tr", { className: "empty-row" }, [el("td", {
          colspan: "7",
          text: filtered ? "No documents match these filters."
            : canUpload ? "No documents yet — drop a file above to get started." : "No documents yet."
        })])];
      }
      body.replaceChildren.apply(body, rows);
      data.items.forEach(function (doc) {
        document.querySelectorAll("[data-upload-result][data-document-id]").forEach(function (item) {
          if (item.getAttribute("data-document-id") !== doc.id) { return; }
          var old = item.querySelector("[data-status-badge]");
          if (old && old.textContent !== label(doc.status)) { old.replaceWith(badge(doc.status)); }
        });
      });
      if (totalNode) { totalNode.textContent = String(data.total); }
      if (rangeNode) {
        rangeNode.textContent = data.total && data.items.length
          ? "Showing " + (data.offset + 1) + "–" + (data.offset + data.items.length) + " of " + data.total : "";
      }
    }

    function url() {
      var params = new URLSearchParams();
      ["status", "kind"].forEach(function (name) {
        var value = tableNode.getAttribute("data-" + name);
        if (value) { params.set(name, value); }
      });
      params.set("limit", tableNode.getAttribute("data-limit") || "25");
      params.set("offset", tableNode.getAttribute("data-offset") || "0");
      return tableNode.getAttribute("data-api") + "?" + params.toString();
    }

    function schedule() {
      clearTimeout(timer);
      timer = null;
      var active = hasActive();
      if (liveNode) { liveNode.hidden = !active; }
      if (active) { timer = setTimeout(refresh, POLL_MS); }
    }

    function refresh() {
      if (inFlight) { return; }
      if (document.hidden) { timer = setTimeout(refresh, POLL_MS); return; }
      inFlight = true;
      getJSON(url()).then(render).catch(function () { /* keep the last rows; try again */ })
        .then(function () { inFlight = false; schedule(); });
    }

    document.addEventListener("visibilitychange", function () { if (!document.hidden && hasActive()) { refresh(); } });
    schedule();
    return { refresh: refresh };
  }

  // ---- inbox: uploads (drop zone or file input), one request per file --------------------------

  var uploadForm = document.querySelector("form[data-upload-form]");
  if (uploadForm) { setUpUploads(uploadForm); }

  function setUpUploads(form) {
    var zone = form.querySelector("[data-dropzone]");
    var input = form.querySelector("[data-upload-input]");
    var results = document.querySelector("[data-upload-results]");
    var endpoint = form.getAttribute("data-upload-url");
    // Where a result's "Open" link goes: the page's template, {name} filled from the upload's answer.
    var openTemplate = form.getAttribute("data-open-url") || "/documents/{id}";
    var queue = Promise.resolve();
    var depth = 0;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadAll(input.files);
    });
    input.addEventListener("change", function () {
      uploadAll(input.files);
      input.value = "";
    });
    zone.addEventListener("dragenter", function (event) {
      event.preventDefault();
      depth += 1;
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      if (event.dataTransfer) { event.dataTransfer.dropEffect = "copy"; }
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (!depth) { zone.classList.remove("is-dragover"); }
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      depth = 0;
      zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files) { uploadAll(event.dataTransfer.files); }
    });
    // A file dropped next to the zone must not make the browser navigate away from the inbox.
    ["dragover", "drop"].forEach(function (name) {
      window.addEventListener(name, function (event) { event.preventDefault(); });
    });

    function uploadAll(fileList) {
      var files = Array.prototype.slice.call(fileList || []);
      files.forEach(function (file) {
        var item = resultItem(file);
        queue = queue.then(function () { return uploadOne(file, item); });
      });
    }

    function resultItem(file) {
      results.hidden = false;
      var state = el("span", { className: "result-state", text: "Uploading…" });
      var item = el("li", { className: "upload-result is-pending", "data-upload-result": "" }, [
        el("span", { className: "result-icon", "aria-hidden": "true" }),
        el("span", { className: "result-name", text: file.name }),
        el("span", { className: "result-size", text: filesize(file.size) }),
        state
      ]);
      results.insertBefore(item, results.firstChild);
      return item;
    }

    function settle(item, kind, parts) {
      item.classList.remove("is-pending");
      item.classList.add("is-" + kind);
      item.setAttribute("data-outcome", kind);
      var state = item.querySelector(".result-state");
      state.replaceChildren.apply(state, parts);
    }

    function uploadOne(file, item) {
      var data = new FormData();
      data.append("files", file, file.name);
      return fetch(endpoint, { method: "POST", body: data, credentials: "same-origin", headers: postHeaders() })
        .then(function (response) {
          return response.json().catch(function () { return null; }).then(function (body) {
            if (response.ok && body && body.documents && body.documents.length) {
              var doc = body.documents[0];
              var href = openTemplate.replace(/\{(\w+)\}/g, function (_, key) {
                return encodeURIComponent(doc[key] || "");
              });
              var link = el("a", { href: href, text: "Open" });
              item.setAttribute("data-document-id", doc.id);
              if (doc.duplicate) {
                settle(item, "duplicate", ["Already in the inbox (same content) ", badge(doc.status), " ", link]);
              } else {
                settle(item, "accepted", ["Uploaded ", badge(doc.status), " ", link]);
              }
              form.dispatchEvent(new CustomEvent("paperclerk:uploaded", { bubbles: true, detail: doc }));
            } else {
              var error = body && body.rejected && body.rejected.length ? body.rejected[0].error : errorOf(body, response);
              settle(item, "rejected", [
                el("code", { className: "error-code", text: error.code }), " " + (error.message || "")
              ]);
            }
          });
        })
        .catch(function () {
          settle(item, "rejected", [el("code", { className: "error-code", text: "NETWORK_ERROR" }),
                                    " The upload did not reach the server."]);
        })
        .then(function () { if (list) { list.refresh(); } });
    }
  }

  // ---- document page: live status, retry -----------------------------------------------------

  var documentNode = document.querySelector("[data-document]");
  if (documentNode) { setUpDocument(documentNode); }

  function setUpDocument(node) {
    var api = node.getAttribute("data-api");
    var shown = node.getAttribute("data-status");

    if (node.getAttribute("data-final") !== "true") {
      var poll = function () {
        if (document.hidden) { setTimeout(poll, POLL_MS); return; }
        getJSON(api).then(function (doc) {
          if (!ACTIVE[doc.status]) { window.location.reload(); return; }
          if (doc.status !== shown) {
            shown = doc.status;
            node.setAttribute("data-status", shown);
            node.querySelectorAll("[data-status-badge]").forEach(function (old) {
              if (!old.closest(".related")) { old.replaceWith(badge(shown)); }
            });
            var text = node.querySelector("[data-status-text]");
            if (text) { text.textContent = label(shown).toLowerCase(); }
          }
          setTimeout(poll, POLL_MS);
        }).catch(function () { setTimeout(poll, POLL_MS * 2); });
      };
      setTimeout(poll, POLL_MS);
    }

    var retry = node.querySelector("form[data-retry]");
    if (retry) {
      retry.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = retry.querySelector("button");
        var message = node.querySelector("[data-retry-message]");
        button.disabled = true;
        button.textContent = "Retrying…";
        fetch(retry.getAttribute("data-retry-url"), { method: "POST", credentials: "same-origin",
                                                     headers: postHeaders() })
          .then(function (response) {
            if (response.ok) { window.location.reload(); return null; }
            return response.json().catch(function () { return null; }).then(function (body) {
              throw errorOf(body, response);
            });
          })
          .catch(function (error) {
            button.disabled = false;
            button.textContent = "Retry";
            if (message) {
              message.hidden = false;
              message.textContent = (error && error.message) || "The retry did not reach the server.";
            }
          });
      });
    }
  }
})();
