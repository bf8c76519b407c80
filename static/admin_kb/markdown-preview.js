/* Live Markdown preview in the article admin, rendered by the server's own sanitizer. */
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.querySelector("[data-preview-url]");
    var body = document.getElementById("id_body");
    var target = document.querySelector("[data-preview-target]");
    if (!holder || !body || !target) return;
    var timer = null;
    function refresh() {
      var data = new FormData();
      data.append("body", body.value);
      fetch(holder.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      })
        .then(function (response) { return response.json(); })
        .then(function (result) { if (typeof result.html === "string") target.innerHTML = result.html; });
    }
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    refresh();
  });
})();
