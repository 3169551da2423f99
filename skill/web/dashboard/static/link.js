// The waiting page asks every two seconds whether its code was said, then reloads to show the
// recordings (or a new code once this one has expired). Optional: without JavaScript the
// "I've said it" link does the same.
(function () {
  "use strict";
  var status = document.getElementById("link-status");
  if (!status) {
    return;
  }
  var url = status.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.linked || state.expired) {
          status.textContent = state.linked ? "Linked. Opening your recordings…" : "Getting a new code…";
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
