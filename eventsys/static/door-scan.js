// Scanning check-in codes with the device's camera at the door. A QR code read here is put
// in the code field and the ordinary form is submitted, so the server checks it exactly as
// a typed code. The browser's BarcodeDetector reads the code where it can; elsewhere the
// bundled jsQR decoder reads the video frames. Typing the code always stays possible.
(function () {
  "use strict";
  var box = document.querySelector("[data-door-scan]");
  var form = document.querySelector("form.checkin-form");
  if (!box || !form) { return; }
  var field = form.querySelector("input[name=code]");
  // A refused code stays in the field (nothing typed is lost) but selected, so that the
  // next code scanned or typed replaces it.
  if (field && field.value && document.activeElement === field) { field.select(); }
  var startButton = box.querySelector("[data-scan-start]");
  var stopButton = box.querySelector("[data-scan-stop]");
  var video = box.querySelector("[data-scan-video]");
  var message = box.querySelector("[data-scan-message]");
  // Scanning goes on after each check-in until staff stop it. The code just sent is not sent
  // again for a minute, so a code left in front of the camera is not checked over and over
  // (refused codes count towards the door's rate limit).
  var KEEP_SCANNING = "door-scan-on";
  var LAST_CODE = "door-scan-last";
  var REPEAT_PAUSE_MS = 60000;
  var FRAME_PAUSE_MS = 200;
  var stream = null;
  var timer = null;

  function say(key) { message.textContent = box.getAttribute("data-msg-" + key) || ""; }

  function remember(key, value) {
    try {
      if (value === null) { sessionStorage.removeItem(key); } else { sessionStorage.setItem(key, value); }
    } catch (ignored) { /* private browsing: scanning still works, one code at a time */ }
  }

  function recall(key) {
    try { return sessionStorage.getItem(key); } catch (ignored) { return null; }
  }

  function nativeReader() {
    if (typeof window.BarcodeDetector !== "function") { return Promise.resolve(null); }
    var formats = typeof BarcodeDetector.getSupportedFormats === "function"
      ? BarcodeDetector.getSupportedFormats() : Promise.resolve([]);
    return formats.then(function (supported) {
      if (supported.indexOf("qr_code") < 0) { return null; }
      var detector = new BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }, function () { return null; });
  }

  function loadDecoder() {
    if (typeof window.jsQR === "function") { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = box.getAttribute("data-decoder");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function decoderReader() {
    return loadDecoder().then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) { return Promise.resolve(null); }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height);
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function reader() {
    return nativeReader().then(function (read) { return read || decoderReader(); });
  }

  function stopCamera() {
    window.clearTimeout(timer);
    timer = null;
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function isRepeat(code) {
    var last = (recall(LAST_CODE) || "").split("|");
    return last[0] === code && Date.now() - Number(last[1]) < REPEAT_PAUSE_MS;
  }

  function submit(code) {
    remember(KEEP_SCANNING, "1");
    remember(LAST_CODE, code + "|" + Date.now());
    stopCamera();
    field.value = code;
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
  }

  function scan(read) {
    if (!stream) { return; }
    read().then(function (code) {
      code = (code || "").trim();
      if (code && !isRepeat(code)) { submit(code); return; }
      timer = window.setTimeout(function () { scan(read); }, FRAME_PAUSE_MS);
    }, function () {
      timer = window.setTimeout(function () { scan(read); }, FRAME_PAUSE_MS);
    });
  }

  function refusal(error) {
    var name = error && error.name;
    return name === "NotAllowedError" || name === "SecurityError" ? "denied" : "no-camera";
  }

  function startCamera() {
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      say("no-camera");
      return;
    }
    startButton.hidden = true;
    reader().then(function (read) {
      return navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" } }
      }).then(function (opened) {
        stream = opened;
        video.srcObject = opened;
        video.hidden = false;
        stopButton.hidden = false;
        video.scrollIntoView({ block: "nearest" });
        say("looking");
        var playing = video.play();
        if (playing && typeof playing.catch === "function") { playing.catch(function () {}); }
        scan(read);
      }, function (error) {
        remember(KEEP_SCANNING, null);
        stopCamera();
        say(refusal(error));
      });
    }, function () {
      stopCamera();
      say("no-decoder");
    });
  }

  startButton.hidden = false;
  startButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", function () {
    remember(KEEP_SCANNING, null);
    stopCamera();
    message.textContent = "";
    field.focus();
  });
  // A phone put away or a tab left must not keep the camera on.
  window.addEventListener("pagehide", stopCamera);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) { stopCamera(); }
  });
  if (recall(KEEP_SCANNING)) {
    field.blur();  // no on-screen keyboard over the camera picture
    startCamera();
  }
})();
