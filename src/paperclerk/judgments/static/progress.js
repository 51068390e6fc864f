// A request's page while its draft is written: look again every two seconds until it is ready.
(function () {
  if (document.querySelector("[data-progress]")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
