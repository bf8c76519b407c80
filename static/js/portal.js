/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Language menu: switch as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // "Was this helpful?": answer in place instead of reloading the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var widget = form.closest("[data-helpfulness]");
    if (!widget || !window.fetch) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (result) {
        if (result.ok && result.body.html) {
          var holder = document.createElement("div");
          holder.innerHTML = result.body.html;
          var replacement = holder.firstElementChild;
          widget.replaceWith(replacement);
          var heading = replacement.querySelector("h2");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        } else {
          form.submit();
        }
      })
      .catch(function () { form.submit(); });
  });

  // Video chapters: jump the player without reloading the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-seek]");
    if (!link) return;
    var player = document.querySelector("[data-player]");
    if (!player) return;
    var seconds = parseInt(link.getAttribute("data-seek"), 10) || 0;
    var video = player.querySelector("video");
    var frame = player.querySelector("iframe");
    if (video) {
      video.currentTime = seconds;
      video.play();
    } else if (frame) {
      var url = new URL(frame.src);
      if (player.dataset.provider === "vimeo") url.hash = "t=" + seconds + "s";
      else url.searchParams.set(player.dataset.provider === "bilibili" ? "t" : "start", seconds);
      url.searchParams.set("autoplay", "1");
      frame.src = url.toString();
    } else {
      return;
    }
    event.preventDefault();
    document.querySelectorAll("a[data-seek][aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
    link.setAttribute("aria-current", "true");
  });
})();

/* Suggestions as you type: titles from the search API, debounced; the form still works without it. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-suggest-url]");
  Array.prototype.forEach.call(boxes, function (box) {
    var input = box.querySelector("input[name=q]");
    var list = box.querySelector(".suggestions");
    if (!input || !list || !window.fetch) return;
    var timer = null, latest = 0;
    function hide() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function minimum(text) { return /[\u4e00-\u9fff]/.test(text) ? 2 : 3; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < minimum(text)) { hide(); return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        fetch(box.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            if (ticket !== latest) return;
            list.innerHTML = "";
            (data.results || []).forEach(function (hit) {
              var item = document.createElement("li");
              var link = document.createElement("a");
              link.href = hit.url;
              link.setAttribute("role", "option");
              var kind = document.createElement("span");
              kind.className = "kind";
              kind.textContent = hit.label;
              link.appendChild(kind);
              link.appendChild(document.createTextNode(hit.title));
              item.appendChild(link);
              list.appendChild(item);
            });
            list.hidden = !list.children.length;
            input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
          })
          .catch(hide);
      }, 200);
    });
    input.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
    document.addEventListener("click", function (event) { if (!box.contains(event.target)) hide(); });
  });
})();

/* The contact form: while the subject is typed, matching articles appear beside it (debounced).
   What was shown goes with the request, so the agent sees it; without this script the form still works. */
(function () {
  "use strict";
  var layout = document.querySelector("[data-contact-suggest]");
  if (!layout || !window.fetch) return;
  var input = layout.querySelector("[data-contact-subject]");
  var list = layout.querySelector("[data-contact-suggestions]");
  var shown = layout.querySelector("input[name=shown_suggestions]");
  if (!input || !list) return;
  var url = layout.getAttribute("data-contact-suggest");
  var seen = [];
  var timer = null, latest = 0;

  function remember(hit) {
    if (seen.length >= 10) return;
    for (var i = 0; i < seen.length; i++) if (seen[i].kind === hit.kind && seen[i].id === hit.id) return;
    seen.push({ kind: hit.kind, id: hit.id, title: hit.title, url: hit.url });
    if (shown) shown.value = JSON.stringify(seen);
  }

  function helpLink(address) {
    return address + (address.indexOf("?") === -1 ? "?" : "&") + "hs=contact-form";
  }

  Array.prototype.forEach.call(list.querySelectorAll("li[data-kind]"), function (item) {
    var link = item.querySelector("a");
    remember({
      kind: item.getAttribute("data-kind"), id: parseInt(item.getAttribute("data-id"), 10),
      title: link ? link.textContent : "", url: link ? link.getAttribute("href").split("?")[0] : "",
    });
  });

  function minimum(text) { return /[\u4e00-\u9fff]/.test(text) ? 2 : 3; }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < minimum(text)) return;
    timer = setTimeout(function () {
      var ticket = ++latest;
      fetch(url + "?limit=5&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (ticket !== latest || !(data.results || []).length) return;
          list.innerHTML = "";
          data.results.forEach(function (hit) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = helpLink(hit.url);
            link.target = "_blank";
            link.rel = "noopener";
            var kind = document.createElement("span");
            kind.className = "badge";
            kind.textContent = hit.label;
            link.textContent = hit.title;
            item.appendChild(kind);
            item.appendChild(document.createTextNode(" "));
            item.appendChild(link);
            list.appendChild(item);
            remember(hit);
          });
        })
        .catch(function () {});
    }, 300);
  });
})();

/* The community's ask page: while the title is typed, similar questions and articles appear beside it.
   What was shown goes with the question (recorded as a deflection point); without this script,
   "Check for similar questions" shows the same list. */
(function () {
  "use strict";
  var layout = document.querySelector("[data-similar-url]");
  if (!layout || !window.fetch) return;
  var input = layout.querySelector("[data-similar-title]");
  var list = layout.querySelector("[data-similar-list]");
  var shown = layout.querySelector("input[name=shown_suggestions]");
  if (!input || !list) return;
  var url = layout.getAttribute("data-similar-url");
  var seen = [];
  var timer = null, latest = 0;

  function remember(hit) {
    if (seen.length >= 10) return;
    for (var i = 0; i < seen.length; i++) if (seen[i].kind === hit.kind && seen[i].id === hit.id) return;
    seen.push({ kind: hit.kind, id: hit.id, title: hit.title, url: hit.url });
    if (shown) shown.value = JSON.stringify(seen);
  }

  function show(results) {
    list.innerHTML = "";
    results.forEach(function (hit) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "badge";
      kind.textContent = hit.label;
      var link = document.createElement("a");
      link.href = hit.link;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = hit.title;
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      list.appendChild(item);
      remember(hit);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < (/[\u4e00-\u9fff]/.test(text) ? 2 : 4)) return;
    timer = setTimeout(function () {
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (ticket === latest && (data.results || []).length) show(data.results);
        })
        .catch(function () {});
    }, 350);
  });
})();

/* Votes on the question page without reloading: the form posts as before, the score updates in place. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  document.querySelectorAll("[data-vote] form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button) return;
      event.preventDefault();
      var data = new FormData(form);
      data.set("value", button.value);
      fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (result) {
          if (!result.ok) { window.alert(result.body.error || ""); return; }
          var value = result.body.value;
          form.querySelector(".vote-score").textContent = result.body.score;
          var buttons = form.querySelectorAll("button[name=value]");
          var up = buttons[0], down = buttons[1];
          up.classList.toggle("is-active", value === 1);
          down.classList.toggle("is-active", value === -1);
          up.setAttribute("aria-pressed", value === 1 ? "true" : "false");
          down.setAttribute("aria-pressed", value === -1 ? "true" : "false");
          up.value = value === 1 ? "0" : "1";
          down.value = value === -1 ? "0" : "-1";
        })
        .catch(function () { form.submit(); });
    });
  });
})();

/* Times in the viewer's time zone: the browser's zone goes to the server in a cookie (read by
   ViewerTimeZoneMiddleware). Without this script, times show in the site's zone. */
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (error) { /* an old browser: the site's zone it is */ }
})();
