/* Video transcript: a click anywhere on a timed line plays from its time, and the line being spoken
   is marked. The times are ordinary links (?t=seconds) that portal.js's chapter handler turns into a
   seek of the player; without JavaScript they reload the page with the player starting there. */
(function () {
  "use strict";
  var transcript = document.querySelector("[data-transcript]");
  if (!transcript) return;
  var lines = Array.prototype.slice.call(transcript.querySelectorAll("[data-transcript-line]"));
  if (!lines.length) return;

  function startOf(line) {
    return parseInt(line.querySelector("a[data-seek]").getAttribute("data-seek"), 10) || 0;
  }

  function markSpoken(seconds) {
    var current = null;
    lines.forEach(function (line) { if (startOf(line) <= seconds) current = line; });
    lines.forEach(function (line) { line.classList.toggle("is-current", line === current); });
  }

  transcript.addEventListener("click", function (event) {
    var line = event.target.closest("[data-transcript-line]");
    if (!line || event.target.closest("a")) return;
    var selection = window.getSelection && window.getSelection();
    if (selection && String(selection).length) return; // selecting words to copy, not seeking
    line.querySelector("a[data-seek]").click();
  });

  // Chapters and transcript times alike: the transcript follows the jump.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-seek]");
    if (link) markSpoken(parseInt(link.getAttribute("data-seek"), 10) || 0);
  });

  // An uploaded file plays in a <video> element, whose time can be read as it plays.
  var video = document.querySelector("[data-player] video");
  if (video) {
    video.addEventListener("timeupdate", function () { markSpoken(Math.floor(video.currentTime)); });
  }
})();
