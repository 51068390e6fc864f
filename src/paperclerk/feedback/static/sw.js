// The customer pages' service worker: makes them installable and shows a plain page when offline.
// Nothing personal is cached: only the style sheet and the script.
var CACHE = "paperclerk-feedback-v1";
var ASSETS = ["/static/feedback/customer.css", "/static/feedback/customer.js"];
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
  }));
});
self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/feedback/") === 0) {
    event.respondWith(caches.match(event.request).then(function (hit) { return hit || fetch(event.request); }));
    return;
  }
  if (event.request.mode === "navigate") {
    event.respondWith(fetch(event.request).catch(function () {
      return new Response("<!doctype html><meta name=viewport content='width=device-width'><p style='font:18px system-ui;padding:1rem'>You are offline. Your feedback is not lost: try again when you are connected.</p>",
        { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }));
  }
});
