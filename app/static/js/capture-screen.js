/* The big screen refreshes itself: every few seconds it asks for its board with the ETag of what it
 * shows (If-None-Match); the server answers 304, without rendering anything, until something
 * changes, then the whole board. It never applies differences: each answer is the full board, so
 * after a lost connection, a sleeping laptop or a reload it is in step again with the first answer.
 *
 * The presenter scales the text with A− / A / A+ (or the keys -, 0 and +); the choice is kept.
 */
(function () {
  "use strict";
  var body = document.body;
  var board = document.getElementById("board");
  var status = document.getElementById("screen-status");
  if (!board || !window.fetch) { return; }
  var url = body.getAttribute("data-board-url");
  var every = Math.max(2, parseInt(body.getAttribute("data-refresh"), 10) || 5) * 1000;
  var etag = null;
  var timer = null;
  var busy = false;
  var SCALE_KEY = "capture-screen-scale";
  var root = document.documentElement;

  function say(text, offline) {
    status.textContent = text;
    status.className = "screen-status" + (offline ? " is-offline" : "");
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function poll() {
    if (busy) { return; }
    busy = true;
    var headers = { "Accept": "text/html" };
    if (etag) { headers["If-None-Match"] = etag; }
    window.fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.status === 304) {
        say(body.getAttribute("data-msg-live"), false);
        return null;
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      etag = response.headers.get("ETag");
      return response.text().then(function (html) {
        // Our own page, rendered and escaped by the server: the full board, replaced whole.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.querySelector(".board-inner");
        if (fresh) { board.replaceChildren(document.importNode(fresh, true)); }
        say(body.getAttribute("data-msg-live"), false);
      });
    }).catch(function () {
      etag = null;  // after a reconnection, take the whole board again
      say(body.getAttribute("data-msg-offline"), true);
    }).then(function () {
      busy = false;
      later(every);
    });
  }

  function applyScale(scale) {
    scale = Math.min(3, Math.max(0.5, scale));
    root.style.setProperty("--screen-scale", String(scale));
    try { localStorage.setItem(SCALE_KEY, String(scale)); } catch (error) { /* not kept */ }
    return scale;
  }

  var current = 1;
  try { current = parseFloat(localStorage.getItem(SCALE_KEY)) || 1; } catch (error) { current = 1; }
  current = applyScale(current);
  var buttons = document.querySelector(".scale-buttons");
  if (buttons) {
    buttons.hidden = false;
    buttons.addEventListener("click", function (event) {
      var target = event.target.closest("[data-scale]");
      var step = target ? target.getAttribute("data-scale") : null;
      if (step === null) { return; }
      current = applyScale(step === "0" ? 1 : current + 0.1 * parseInt(step, 10));
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "+" || event.key === "=") { current = applyScale(current + 0.1); }
    if (event.key === "-") { current = applyScale(current - 0.1); }
    if (event.key === "0") { current = applyScale(1); }
  });
  window.addEventListener("online", function () { etag = null; later(0); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { etag = null; later(0); } });

  say(body.getAttribute("data-msg-live"), false);
  later(every);
}());
