/* The phone header's menu (issue 13, defect 3). Without this file the "Menu" link opens the menu as its target
   (#site-menu:target in portal.css) and "Close menu" closes it. With it the link becomes a real disclosure button
   whose aria-expanded says whether the menu is open; Escape closes the menu and gives focus back to the button. */
(function () {
  "use strict";
  var link = document.querySelector("a[data-menu-toggle]");
  var menu = document.getElementById("site-menu");
  if (!link || !menu) return;

  var button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  button.setAttribute("aria-controls", menu.id);
  button.setAttribute("data-menu-toggle", "");
  while (link.firstChild) button.appendChild(link.firstChild);
  link.replaceWith(button);

  function setOpen(open) {
    menu.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  // Opened by the link before this script ran: keep it open, and drop the fragment so it cannot reopen it later.
  setOpen(window.location.hash === "#" + menu.id);
  if (window.location.hash === "#" + menu.id && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    if (window.getComputedStyle(button).display === "none") return; // wide screens: the menu is not folded
    setOpen(false);
    button.focus();
  });
})();
