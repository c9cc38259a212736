// Print buttons: shown only when JavaScript runs, since without it they could do nothing
// (the browser's own Print command still works). A file, not an inline handler, so the
// Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
