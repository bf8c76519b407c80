/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Public pages carry no CSRF token, so that a shared cache may keep them (kbportal/security/csrf.py): the
  // first use of a form fetches one, and a form sent before it arrives waits for it. Without this script, or
  // if the fetch fails, the placeholder goes as it is and the server checks the request's origin instead.
  var LAZY = 'input[name="csrfmiddlewaretoken"][value="lazy"]';
  var tokenRequest = null;
  function fetchToken() {
    if (!tokenRequest) {
      tokenRequest = fetch("/csrf/", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) throw new Error("no token");
        return response.json();
      }).then(function (body) {
        document.querySelectorAll(LAZY).forEach(function (input) { input.value = body.token; });
      });
      tokenRequest.catch(function () { tokenRequest = null; });
    }
    return tokenRequest;
  }
  function lazyForm(target) {
    var form = target && target.closest ? target.closest("form") : null;
    return form && !form.dataset.csrfTried && form.querySelector(LAZY) && window.fetch ? form : null;
  }
  ["focusin", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (lazyForm(event.target)) fetchToken().catch(function () {});
    }, true);
  });
  document.addEventListener("submit", function (event) {
    var form = lazyForm(event.target);
    if (!form) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    fetchToken().catch(function () { form.dataset.csrfTried = "1"; }).then(function () {
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
  }, true);

  // Language menu: switch as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("select[data-autosubmit]")) return;
    var form = event.target.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
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

/* Suggestions as you type, one script for three boxes: the search box's drop-down, the contact form's
   "These may answer it" and the community's "These may already answer it". The page gives the box's root
   where to ask and the server's rule for when (data-suggest-url, -min, -min-cjk, -cjk); the server builds
   every link. Without this script each form works as it is. */
(function () {
  "use strict";

  function suggestBox(root, options) {
    var input = root.querySelector("[data-suggest-input]");
    var list = root.querySelector("[data-suggest-list]");
    if (!input || !list || !window.fetch) return;
    var minimum = parseInt(root.getAttribute("data-suggest-min"), 10) || 1;
    var minimumCjk = parseInt(root.getAttribute("data-suggest-min-cjk"), 10) || minimum;
    var cjk = null;
    try { cjk = new RegExp(root.getAttribute("data-suggest-cjk") || "[^\\s\\S]", "u"); } catch (error) { return; }
    // What was shown goes with the form (the agent sees it; a question records it), when the form asks for it.
    var shown = root.querySelector("input[name=shown_suggestions]");
    var seen = [], timer = null, latest = 0;

    function remember(hit) {
      if (!shown || seen.length >= 10) return;
      for (var i = 0; i < seen.length; i++) if (seen[i].kind === hit.kind && seen[i].id === hit.id) return;
      seen.push({ kind: hit.kind, id: hit.id, title: hit.title, url: hit.url });
      shown.value = JSON.stringify(seen);
    }

    function hide() {
      if (!options.dropdown) return;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function item(hit) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      var kind = document.createElement("span");
      link.href = hit.link;
      kind.textContent = hit.label;
      if (options.dropdown) {
        link.setAttribute("role", "option");
        kind.className = "kind";
        link.appendChild(kind);
        link.appendChild(document.createTextNode(hit.title));
        li.appendChild(link);
      } else {
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = hit.title;
        kind.className = "badge";
        li.appendChild(kind);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(link);
      }
      return li;
    }

    function show(results) {
      // A panel keeps what it showed when nothing new is found; the drop-down closes.
      if (!results.length && !options.dropdown) return;
      list.innerHTML = "";
      results.forEach(function (hit) { list.appendChild(item(hit)); remember(hit); });
      if (options.dropdown) {
        list.hidden = !list.children.length;
        input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      }
    }

    if (options.keepRendered) {
      Array.prototype.forEach.call(list.querySelectorAll("li[data-kind]"), function (li) {
        var link = li.querySelector("a");
        remember({ kind: li.getAttribute("data-kind"), id: parseInt(li.getAttribute("data-id"), 10),
                   title: link ? link.textContent : "", url: li.getAttribute("data-url") || "" });
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      // Characters as the server counts them (code points: an astral CJK character is one).
      if (Array.from(text).length < (cjk.test(text) ? minimumCjk : minimum)) { hide(); return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        var address = new URL(root.getAttribute("data-suggest-url"), window.location.href);
        address.searchParams.set("q", text);
        fetch(address.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (ticket === latest) show(data.results || []); })
          .catch(hide);
      }, 250);
    });
    if (options.dropdown) {
      input.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
      document.addEventListener("click", function (event) { if (!root.contains(event.target)) hide(); });
    }
  }

  document.querySelectorAll("[data-suggest=dropdown]").forEach(function (root) { suggestBox(root, { dropdown: true }); });
  document.querySelectorAll("[data-suggest=contact]").forEach(function (root) { suggestBox(root, { keepRendered: true }); });
  document.querySelectorAll("[data-suggest=similar]").forEach(function (root) { suggestBox(root, {}); });
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
