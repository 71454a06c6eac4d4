/* The capture console keeps every entry until the server has it.
 *
 * An entry is put in a queue in localStorage (with its own client key) before it is sent, and taken
 * out only when the server answers that it has it. Sent again after a dropped connection, the same
 * key finds the entry made the first time: a resend never makes a duplicate. The queue is sent again
 * when the browser says it is back online, every few seconds while something waits, and when the
 * page is opened again. The status line always says whether the last entry is saved. What is typed
 * and not yet sent is kept too (a reload or a closed tab loses nothing).
 *
 * Once the server has an entry, the page's lists are fetched again and swapped in (the server draws
 * them, as on a reload), so that the facilitator sees it at once and does not type it twice. An
 * entry the server refuses will never be accepted as it is: it goes back into the form with each
 * error beside its field, as the page without script shows them. When something new is already
 * typed in the form, the refused entry is held aside instead (never lost) until it is put back.
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
    edit: form.getAttribute("data-msg-edit"),
    held: form.getAttribute("data-msg-held"),
    problem: form.getAttribute("data-msg-problem"),
    problems: form.getAttribute("data-msg-problems"),
    kept: form.getAttribute("data-msg-kept"),
    colon: form.getAttribute("data-colon")
  };
  var refreshUrl = form.getAttribute("data-refresh-url");
  var RETRY_MS = 5000;
  var sending = false;
  var retryTimer = null;
  var refreshing = false;
  var refreshAgain = false;

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

  function isHeld(item) {
    return Boolean(item.refused || item.aside);
  }

  function pendingList(items, heading) {
    var fragment = document.createDocumentFragment();
    var title = document.createElement("p");
    title.className = "pending-heading";
    title.textContent = heading;
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var line = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = summary(item);  // text, never HTML
      line.appendChild(text);
      if (item.refused) {
        var reason = document.createElement("strong");
        reason.textContent = messages.refused.replace("{reason}", item.refused);
        line.appendChild(reason);
      }
      if (isHeld(item)) {
        var actions = document.createElement("span");
        actions.className = "pending-actions";
        actions.appendChild(button(messages.edit, function () { putBack(item.key); }));
        actions.appendChild(button(messages.discard, function () { drop(item.key); }));
        line.appendChild(actions);
      }
      list.appendChild(line);
    });
    fragment.appendChild(title);
    fragment.appendChild(list);
    return fragment;
  }

  function render() {
    var queue = load();
    var waiting = queue.filter(function (item) { return !isHeld(item); });
    var held = queue.filter(isHeld);
    pendingBox.textContent = "";
    pendingBox.hidden = queue.length === 0;
    if (waiting.length) { pendingBox.appendChild(pendingList(waiting, messages.queue)); }
    if (held.length) { pendingBox.appendChild(pendingList(held, messages.held)); }
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

  function typedSomething() {
    return Boolean(form.elements.text.value.trim() || form.elements.title.value.trim());
  }

  function fillForm(fields) {
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrf_token" || name === "client_key" || element.type === "file" ||
          element.type === "submit" || element.type === "button") {
        return;
      }
      var values = fields.filter(function (pair) { return pair[0] === name; }).map(function (pair) { return pair[1]; });
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        element.value = values.length ? values[0] : "";
      }
    });
  }

  // The form as it is, held aside in the queue (not sent), so that putting another entry back
  // into the form never loses what was being typed.
  function holdWhatIsTyped() {
    if (!typedSomething()) { return; }
    var queue = load();
    queue.push({ key: form.elements.client_key.value || newKey(), fields: formFields(), at: Date.now(), aside: true });
    store(queue);
  }

  function putBack(key) {
    var item = load().filter(function (entry) { return entry.key === key; })[0];
    if (!item) { return; }
    holdWhatIsTyped();
    drop(key);
    fillForm(item.fields);
    form.elements.client_key.value = key;
    showKind();
    clearErrors();
    if (item.errors && item.errors.length) {
      showErrors(item.errors);
    } else {
      form.elements.text.focus();
    }
    keepDraft();
  }

  // --- Errors beside their fields, drawn as the _macros.html `field` and `choice_group` draw them ---

  function clearErrors() {
    var summaryBox = document.getElementById("error-summary");
    if (summaryBox) { summaryBox.parentNode.removeChild(summaryBox); }
    Array.prototype.forEach.call(form.querySelectorAll("ul.errors"), function (list) {
      list.parentNode.removeChild(list);
    });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (box) {
      box.classList.remove("has-error");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-describedby]"), function (element) {
      var kept = element.getAttribute("aria-describedby").split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (kept.length) { element.setAttribute("aria-describedby", kept.join(" ")); } else { element.removeAttribute("aria-describedby"); }
      if (element.getAttribute("aria-invalid") === "true") { element.setAttribute("aria-invalid", "false"); }
    });
  }

  // The service names the stored column (text_en); the console's form has one field per text.
  function fieldFor(name) {
    if (!name) { return null; }
    var element = form.elements[name];
    if (!element && /_(en|fr)$/.test(name)) { element = form.elements[name.slice(0, -3)]; }
    if (!element) { return null; }
    if (element.type === "checkbox" || element.type === "radio") { element = [element]; }  // a list of one
    if (element.length !== undefined && !element.options) {
      var first = element[0];
      var group = first && first.closest("fieldset");
      return group ? { box: group, describe: group, id: name, target: first.id, label: group.querySelector("legend") } : null;
    }
    var box = element.closest(".field");
    var label = form.querySelector("label[for='" + element.id + "']");
    return box ? { box: box, describe: element, id: element.id, target: element.id, label: label, input: element } : null;
  }

  function describeBy(element, id) {
    var ids = (element.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) === -1) { ids.push(id); }
    element.setAttribute("aria-describedby", ids.join(" "));
  }

  function showErrors(errors) {
    var problems = [];
    errors.forEach(function (each) {
      var place = fieldFor(each.field);
      if (!place) {
        problems.push({ message: each.error });
        return;
      }
      var errorId = place.id + "-error";
      var list = document.getElementById(errorId);
      if (!list) {
        list = document.createElement("ul");
        list.className = "errors";
        list.id = errorId;
        place.box.appendChild(list);
      }
      var line = document.createElement("li");
      line.textContent = each.error;
      list.appendChild(line);
      place.box.classList.add("has-error");
      describeBy(place.describe, errorId);
      if (place.input) { place.input.setAttribute("aria-invalid", "true"); }
      var details = place.box.closest("details");
      if (details) { details.open = true; }
      problems.push({ message: each.error, target: place.target, label: place.label ? place.label.textContent.trim() : "" });
    });
    showSummary(problems);
  }

  function showSummary(problems) {
    if (!problems.length) { return; }
    var box = document.createElement("div");
    box.className = "error-summary";
    box.id = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("aria-labelledby", "error-summary-title");
    var title = document.createElement("p");
    title.id = "error-summary-title";
    var count = document.createElement("strong");
    count.textContent = (problems.length === 1 ? messages.problem : messages.problems).replace("{num}", String(problems.length));
    title.appendChild(count);
    title.appendChild(document.createTextNode(" " + messages.kept));
    var list = document.createElement("ul");
    problems.forEach(function (problem) {
      var line = document.createElement("li");
      if (problem.target) {
        var link = document.createElement("a");
        link.href = "#" + problem.target;
        link.textContent = problem.label ? problem.label + messages.colon + " " + problem.message : problem.message;
        line.appendChild(link);
      } else {
        line.textContent = problem.message;
      }
      list.appendChild(line);
    });
    box.appendChild(title);
    box.appendChild(list);
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  // --- The lists, drawn again by the server after a save ---

  function checkedValues(box) {
    return Array.prototype.filter.call(box.querySelectorAll("input"), function (input) { return input.checked; })
      .map(function (input) { return input.value; });
  }

  function swapIn(page) {
    var lists = page.getElementById("console-lists");
    var current = document.getElementById("console-lists");
    if (!lists || !current) { return; }  // not the console (the sign-in page): keep what is shown
    current.parentNode.replaceChild(document.importNode(lists, true), current);
    var answers = page.getElementById("answers-choices");
    var currentAnswers = document.getElementById("answers-choices");
    if (answers && currentAnswers && !currentAnswers.querySelector(".errors")) {
      var ticked = checkedValues(currentAnswers);
      var fresh = document.importNode(answers, true);
      Array.prototype.forEach.call(fresh.querySelectorAll("input"), function (input) {
        input.checked = ticked.indexOf(input.value) !== -1;
      });
      currentAnswers.parentNode.replaceChild(fresh, currentAnswers);
    }
  }

  function refreshLists() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    window.fetch(refreshUrl, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) { swapIn(new DOMParser().parseFromString(html, "text/html")); }
      }, function () { /* no connection: the lists catch up after the next save */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refreshLists();
        }
      });
  }

  function scheduleRetry() {
    if (retryTimer === null) {
      retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, RETRY_MS);
    }
  }

  // The page's form token belongs to the session it was drawn in. When that session's cookie is
  // lost, a sign-in in another tab starts another session, which refuses the old token: take the
  // token the console is drawn with now, and send again with it (until someone is signed in, the
  // console page is the sign-in page, and this is tried again a few seconds later).
  function renewToken() {
    window.fetch(refreshUrl, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var page = html ? new DOMParser().parseFromString(html, "text/html") : null;
        var fresh = page ? page.querySelector("#capture-form input[name=csrf_token]") : null;
        if (fresh && fresh.value && fresh.value !== form.elements.csrf_token.value) {
          form.elements.csrf_token.value = fresh.value;
          flush();
        } else {
          scheduleRetry();
        }
      }, scheduleRetry);
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
    var next = load().filter(function (item) { return !isHeld(item); })[0];
    if (!next) { render(); return; }
    sending = true;
    setStatus(messages.sending, "pending");
    send(next).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // The sign-in page (after a redirect) or an expired form: keep it, say what to do.
        setStatus(messages.signin, "refused");
        renewToken();
        return null;
      }
      return response.json().then(function (answer) {
        if (response.ok && answer.ok) {
          drop(next.key);
          setStatus(messages.saved, "saved");
          refreshLists();
          return true;
        }
        if (response.status === 422) {
          // Every refusal at once, so that one correction is enough.
          var errors = Array.isArray(answer.errors) && answer.errors.length ? answer.errors
            : [{ error: answer.error || "?", field: answer.field || null }];
          var reason = errors.map(function (each) { return each.error; }).filter(Boolean).join(" ");
          var queue = load();
          queue.forEach(function (item) {
            if (item.key === next.key) {
              item.refused = reason;
              item.errors = errors;
            }
          });
          store(queue);
          setStatus(messages.refused.replace("{reason}", reason), "refused");
          if (!typedSomething()) { putBack(next.key); }  // back where it can be corrected
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

  // The next entry keeps what the session gives (its kind, language, agenda item, visit, working
  // group) and starts without the last one's own facts: a case inheriting the previous city or
  // slides link would be credited wrongly without anyone noticing.
  var ENTRY_FACTS = ["title", "text", "city_id", "city_other", "organisation", "slides_url",
                     "actor_level", "actor", "sdgs", "policy_areas", "answers"];

  function clearEntryFacts() {
    ENTRY_FACTS.forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") { field.checked = false; }
        else if (field.tagName === "SELECT") { field.selectedIndex = 0; }
        else { field.value = ""; }
      });
    });
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
    clearErrors();
    form.elements.client_key.value = newKey();
    clearEntryFacts();
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
