// The customer's pages: a device id kept on this phone, typing measured (pasted characters, seconds spent typing),
// and the recorder (MediaRecorder), whose recording is sent with the form. Registers the service worker (PWA).
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/f/sw.js", { scope: "/f/" }).catch(function () {});
  }
  function deviceId() {
    var id = null;
    try { id = localStorage.getItem("paperclerk-feedback-device"); } catch (e) { return ""; }
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem("paperclerk-feedback-device", id); } catch (e) { /* private mode */ }
    }
    return id;
  }
  document.querySelectorAll("[data-device-id]").forEach(function (input) { input.value = deviceId(); });

  var form = document.querySelector("[data-feedback-form]");
  if (!form) { return; }
  var text = form.querySelector("[data-text]");
  var pasted = form.querySelector("[data-pasted]");
  var typing = form.querySelector("[data-typing]");
  var error = form.querySelector("[data-form-error]");
  var started = null, typedMs = 0, lastKey = null, mode = "text", recording = null, recorder = null, chunks = [];
  text.addEventListener("paste", function (event) {
    var data = (event.clipboardData || window.clipboardData).getData("text") || "";
    pasted.value = String(Number(pasted.value) + data.length);
  });
  text.addEventListener("keydown", function () {
    var now = Date.now();
    if (lastKey !== null && now - lastKey < 5000) { typedMs += now - lastKey; }
    lastKey = now;
    if (started === null) { started = now; }
  });
  form.querySelectorAll("[data-mode]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      mode = tab.getAttribute("data-mode");
      form.querySelectorAll("[data-mode]").forEach(function (other) {
        other.setAttribute("aria-pressed", String(other === tab));
      });
      form.querySelector('[data-panel="text"]').hidden = mode !== "text";
      form.querySelector('[data-panel="voice"]').hidden = mode !== "voice";
      text.required = mode === "text";
    });
  });
  text.required = true;
  var record = form.querySelector("[data-record]");
  var status = form.querySelector("[data-record-status]");
  var playback = form.querySelector("[data-playback]");
  var maxSeconds = Number(form.getAttribute("data-max-seconds")) || 120;
  var timer = null;
  record.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      status.textContent = "This browser cannot record. Please type instead.";
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) { if (event.data.size) { chunks.push(event.data); } });
      recorder.addEventListener("stop", function () {
        clearTimeout(timer);
        stream.getTracks().forEach(function (track) { track.stop(); });
        recording = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        playback.src = URL.createObjectURL(recording);
        playback.hidden = false;
        record.setAttribute("aria-pressed", "false");
        record.textContent = "● Record again";
        status.textContent = "Recorded. Listen, then send.";
      });
      recorder.start();
      record.setAttribute("aria-pressed", "true");
      record.textContent = "■ Stop";
      status.textContent = "Recording… speak now.";
      timer = setTimeout(function () { if (recorder.state === "recording") { recorder.stop(); } }, maxSeconds * 1000);
    }).catch(function () { status.textContent = "No microphone access. Please type instead."; });
  });
  form.addEventListener("submit", function (event) {
    typing.value = started === null ? "" : String(Math.round(typedMs / 1000));
    if (mode !== "voice") { return; }
    event.preventDefault();
    if (!recording) { error.hidden = false; error.textContent = "Record your feedback first."; return; }
    var data = new FormData(form);
    data.delete("text");
    data.append("audio", recording, "recording.webm");
    form.querySelector("[data-submit]").disabled = true;
    status.textContent = "Sending and transcribing…";
    fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || response.ok) { window.location.href = response.url; return null; }
        return response.json().then(function (body) {
          error.hidden = false;
          error.textContent = (body.error && body.error.message) || "Something went wrong.";
          form.querySelector("[data-submit]").disabled = false;
        });
      }).catch(function () {
        error.hidden = false;
        error.textContent = "No connection. Try again.";
        form.querySelector("[data-submit]").disabled = false;
      });
  });
})();
