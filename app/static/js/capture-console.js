/* The capture console keeps every entry until the server has it.
 *
 * An entry is put in a queue in localStorage (with its own client key) before it is sent, and taken
 * out only when the server answers that it has it. Sent again after a dropped connection, the same
 * key finds the entry made the first time: a resend never makes a duplicate. The queue is sent again
 * when the browser says it is back online, every few seconds while something waits, and when the
 * page is opened again. The status line always says whether the last entry is saved. What is typed
 * and not yet sent is kept too (a reload or a closed tab loses nothing).
 *
 * Without this script the form posts as any form (the server makes the key), so nothing depends on it.
 */
(function () {
  "use strict";
  var form = document.getElementById("capture-form");
  if (!form || !window.fetch || !window.localStorage || !window.URLSearchParams) {
    return;
  }
  var status = document.getElementById("save-status");
  var pendingBox = document.getElementById("pending");
  var queueKey = form.getAttribute("data-queue-key");
  var draftKey = queueKey + ":draft";
  var messages = {
    saved: form.getAttribute("data-msg-saved"),
    pending: form.getAttribute("data-msg-pending"),
    sending: form.getAttribute("data-msg-sending"),
    refused: form.getAttribute("data-msg-refused"),
    signin: form.getAttribute("data-msg-signin"),
    queue: form.getAttribute("data-msg-queue"),
    discard: form.getAttribute("data-msg-discard"),
    edit: form.getAttribute("data-msg-edit")
  };
  var RETRY_MS = 5000;
  var sending = false;
  var retryTimer = null;

  function load() {
    try {
      var queue = JSON.parse(localStorage.getItem(queueKey) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function store(queue) {
    try {
      localStorage.setItem(queueKey, JSON.stringify(queue));
      return true;
    } catch (error) {
      return false;  // storage full or refused: the entry is sent at once instead
    }
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setStatus(text, state) {
    status.textContent = text;
    status.className = "save-status is-" + state;
  }

  function valueOf(fields, name) {
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i][0] === name) { return fields[i][1]; }
    }
    return "";
  }

  function formFields() {
    var pairs = [];
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function summary(item) {
    var text = valueOf(item.fields, "title") || valueOf(item.fields, "text");
    return text.length > 90 ? text.slice(0, 89) + "…" : text;
  }

  function render() {
    var queue = load();
    pendingBox.textContent = "";
    pendingBox.hidden = queue.length === 0;
    if (!queue.length) { return; }
    var heading = document.createElement("p");
    heading.className = "pending-heading";
    heading.textContent = messages.queue;
    var list = document.createElement("ul");
    queue.forEach(function (item) {
      var line = document.createElement("li");
      line.textContent = summary(item);  // text, never HTML
      if (item.refused) {
        var reason = document.createElement("strong");
        reason.textContent = " " + messages.refused.replace("{reason}", item.refused);
        line.appendChild(reason);
        line.appendChild(button(messages.edit, function () { putBack(item.key); }));
        line.appendChild(button(messages.discard, function () { drop(item.key); }));
      }
      list.appendChild(line);
    });
    pendingBox.appendChild(heading);
    pendingBox.appendChild(list);
  }

  function button(label, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "link-button";
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  }

  function drop(key) {
    store(load().filter(function (item) { return item.key !== key; }));
    render();
  }

  function putBack(key) {
    var item = load().filter(function (entry) { return entry.key === key; })[0];
    if (!item) { return; }
    item.fields.forEach(function (pair) {
      var element = form.elements[pair[0]];
      if (element && element.type !== "checkbox" && element.type !== "radio" && element.type !== "file" && !element.length) {
        element.value = pair[1];
      }
    });
    drop(key);
    form.elements.client_key.value = key;
    showKind();
    form.elements.text.focus();
  }

  function scheduleRetry() {
    if (retryTimer === null) {
      retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, RETRY_MS);
    }
  }

  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("client_key", item.key);
    body.set("csrf_token", form.elements.csrf_token.value);
    return window.fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" }
    });
  }

  function flush() {
    if (sending) { return; }
    var next = load().filter(function (item) { return !item.refused; })[0];
    if (!next) { render(); return; }
    sending = true;
    setStatus(messages.sending, "pending");
    send(next).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // The sign-in page (after a redirect) or an expired form: keep it, say what to do.
        setStatus(messages.signin, "refused");
        return null;
      }
      return response.json().then(function (answer) {
        if (response.ok && answer.ok) {
          drop(next.key);
          setStatus(messages.saved, "saved");
          return true;
        }
        if (response.status === 422) {
          // Every refusal at once, so that one correction is enough.
          var reasons = (answer.errors || []).map(function (each) { return each.error; }).filter(Boolean);
          var reason = reasons.length ? reasons.join(" ") : (answer.error || "?");
          var queue = load();
          queue.forEach(function (item) { if (item.key === next.key) { item.refused = reason; } });
          store(queue);
          setStatus(messages.refused.replace("{reason}", reason), "refused");
          return true;
        }
        setStatus(messages.pending, "pending");
        scheduleRetry();
        return null;
      });
    }, function () {
      // No connection: it stays in the queue until the connection returns.
      setStatus(messages.pending, "pending");
      scheduleRetry();
      return null;
    }).then(function (goOn) {
      sending = false;
      render();
      if (goOn) { flush(); }
    });
  }

  function showKind() {
    var kind = form.elements.kind.value;
    var boxes = form.querySelectorAll("[data-kinds]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.hidden = box.getAttribute("data-kinds").split(" ").indexOf(kind) === -1;
    });
  }

  function keepDraft() {
    try {
      localStorage.setItem(draftKey, JSON.stringify({
        text: form.elements.text.value, title: form.elements.title.value, kind: form.elements.kind.value
      }));
    } catch (error) { /* nothing kept: the form still has it */ }
  }

  function restoreDraft() {
    try {
      var draft = JSON.parse(localStorage.getItem(draftKey) || "null");
      if (draft && !form.elements.text.value && !form.elements.title.value) {
        form.elements.text.value = draft.text || "";
        form.elements.title.value = draft.title || "";
        if (draft.kind && (draft.text || draft.title)) { form.elements.kind.value = draft.kind; }
      }
    } catch (error) { /* an unreadable draft is dropped */ }
  }

  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (file && file.files && file.files.length) {
      return;  // a PDF goes the ordinary way: it cannot wait in localStorage
    }
    event.preventDefault();
    var item = { key: form.elements.client_key.value || newKey(), fields: formFields(), at: Date.now() };
    var queue = load();
    queue.push(item);
    if (!store(queue)) {
      form.submit();  // nowhere to keep it: send it the ordinary way
      return;
    }
    form.elements.client_key.value = newKey();
    form.elements.text.value = "";
    form.elements.title.value = "";
    try { localStorage.removeItem(draftKey); } catch (error) { /* ignore */ }
    setStatus(messages.pending, "pending");
    render();
    flush();
    form.elements.text.focus();
  });
  form.addEventListener("input", keepDraft);
  form.elements.kind.addEventListener("change", showKind);
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });

  form.elements.client_key.value = newKey();
  restoreDraft();
  showKind();
  if (load().length) { setStatus(messages.pending, "pending"); }
  render();
  flush();
}());
