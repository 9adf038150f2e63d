// The staff console's helpers. Every page works without this file; it adds keyboard shortcuts,
// the step timer, drafts saved as you type, and "also viewing" heartbeats.
(function () {
  "use strict";
  var csrf = document.querySelector('input[name="csrf_token"]');
  var token = csrf ? csrf.value : "";

  // ---- keyboard shortcuts (WCAG 2.1.4: single keys can be turned off) ----
  var SHORTCUTS_KEY = "tandem.shortcuts";
  var dialog = document.getElementById("shortcuts");
  var toggle = document.querySelector("[data-shortcuts-toggle]");
  function shortcutsOn() { return localStorage.getItem(SHORTCUTS_KEY) !== "off"; }
  if (toggle) {
    toggle.checked = shortcutsOn();
    toggle.addEventListener("change", function () { localStorage.setItem(SHORTCUTS_KEY, toggle.checked ? "on" : "off"); });
  }
  function openHelp() { if (dialog && !dialog.open) { dialog.showModal(); } }
  document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) { button.addEventListener("click", openHelp); });
  document.querySelectorAll("[data-shortcuts-close]").forEach(function (button) {
    button.addEventListener("click", function () { dialog.close(); });
  });

  // ---- the idle sign-out, told two minutes ahead with a way to stay (WCAG 2.2.1) ----
  // The server signs staff out after STAFF_IDLE_MINUTES without a request. Typing sends nothing, so a long call
  // typed into the desk's form could meet it unwarned and lose the form. Every tab of the console writes when it
  // last reached the server, so a tab in use elsewhere keeps this one from warning.
  var LAST_SENT_KEY = "tandem.lastSent";
  var stillThere = document.getElementById("still-there");
  var idleMs = stillThere ? parseInt(stillThere.getAttribute("data-idle-seconds"), 10) * 1000 : 0;
  var idleTimer = null;
  // the warning's own words, put back if a sign-in elsewhere revives a page that was told it was signed out
  var warningParts = stillThere ? ["[data-still-there-title]", "[data-still-there-text]", "[data-stay-signed-in]"].map(
    function (selector) { return [stillThere.querySelector(selector), stillThere.querySelector(selector).innerHTML]; }) : [];
  function lastSent() { return parseInt(localStorage.getItem(LAST_SENT_KEY) || "0", 10); }
  function watchIdle() {
    if (!stillThere || !idleMs) { return; }
    clearTimeout(idleTimer);
    var ends = lastSent() + idleMs, warnAt = ends - Math.min(120000, idleMs / 2), now = Date.now();
    if (now >= ends) { signedOut(); return; }
    var button = stillThere.querySelector("[data-stay-signed-in]");
    if (button.hasAttribute("data-signed-out")) {
      warningParts.forEach(function (part) { part[0].innerHTML = part[1]; });
      button.removeAttribute("data-signed-out");
      stillThere.querySelector("[data-close-still-there]").hidden = true;
    }
    if (now >= warnAt) {
      stillThere.querySelector("[data-sign-out-at]").textContent =
        new Date(ends).toLocaleTimeString(document.documentElement.lang || undefined, {hour: "2-digit", minute: "2-digit"});
      if (!stillThere.open) { stillThere.showModal(); }
    } else if (stillThere.open) {
      stillThere.close();  // another tab reached the server
    }
    idleTimer = setTimeout(watchIdle, Math.min(now >= warnAt ? ends : warnAt, now + 60000) - now);
  }
  function sent() {
    localStorage.setItem(LAST_SENT_KEY, String(Date.now()));
    watchIdle();
  }
  function signedOut() {
    stillThere.querySelector("[data-still-there-title]").textContent = "You have been signed out";
    stillThere.querySelector("[data-still-there-text]").textContent = "Nothing was sent from this page for " +
      Math.round(idleMs / 60000) + " minutes, so you were signed out for security. What you typed is still on this " +
      "page: close this message to copy it, then sign in again.";
    var button = stillThere.querySelector("[data-stay-signed-in]");
    button.textContent = "Sign in again";
    button.setAttribute("data-signed-out", "");
    // the dialog is modal (the page behind it cannot be used): closing it is how the words are reached
    stillThere.querySelector("[data-close-still-there]").hidden = false;
    if (!stillThere.open) { stillThere.showModal(); }
  }
  if (stillThere) {
    stillThere.querySelector("[data-stay-signed-in]").addEventListener("click", function (event) {
      if (event.target.hasAttribute("data-signed-out")) {
        window.location.assign(stillThere.getAttribute("data-sign-in") + "?next=" + encodeURIComponent(window.location.pathname));
        return;
      }
      var body = new FormData();
      body.append("csrf_token", token);
      fetch(stillThere.getAttribute("data-keep-alive"), {method: "POST", body: body, credentials: "same-origin", redirect: "manual"})
        .then(function (response) {
          if (response.status === 204) { sent(); stillThere.close(); } else { signedOut(); }
        })
        .catch(function () { watchIdle(); });
    });
    stillThere.querySelector("[data-close-still-there]").addEventListener("click", function () { stillThere.close(); });
    window.addEventListener("storage", function (event) { if (event.key === LAST_SENT_KEY) { watchIdle(); } });
    sent();  // this page's own load reached the server
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
  var current = -1;
  function choose(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.setAttribute("aria-selected", i === current ? "true" : "false"); });
    var link = rows[current].querySelector("a");
    if (link) { link.focus(); }
  }
  function focusField(id) {
    var field = document.getElementById(id);
    if (field) {
      // the case page keeps its less frequent actions folded: open the one the key asks for
      var panel = field.closest("details");
      if (panel) { panel.open = true; }
      field.focus(); field.scrollIntoView({block: "center"}); return true;
    }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable], dialog")) { return; }
    if (!shortcutsOn()) { return; }
    var handled = true;
    switch (event.key) {
      case "j": choose(current + 1); break;
      case "k": choose(current - 1); break;
      case "t": {
        var take = document.querySelector("form[data-take-next]");
        if (take) { take.requestSubmit(); } else { handled = false; }
        break;
      }
      case "r": handled = focusField("reply-message"); break;
      case "n": handled = focusField("note-text"); break;
      case "c": {
        var desk = document.querySelector("a[data-new-contact]");
        if (desk) { window.location.assign(desk.href); } else { handled = false; }
        break;
      }
      case "?": openHelp(); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  // ---- the case page's folded actions open when a link or the address points into them ----
  function openTarget(hash) {
    var target = hash && document.getElementById(hash.slice(1));
    var panel = target && target.closest("details");
    if (panel) { panel.open = true; }
  }
  document.querySelectorAll(".case-actions a").forEach(function (link) {
    link.addEventListener("click", function () { openTarget(link.getAttribute("href")); });
  });
  openTarget(window.location.hash);

  // ---- the step timer: counts time while this page is in view ----
  var timerForm = document.querySelector("[data-step-timer]");
  if (timerForm) {
    var stepKey = "tandem.step." + timerForm.getAttribute("data-step-id");
    var minutesField = timerForm.querySelector('input[name="effort_minutes"]');
    var activeField = timerForm.querySelector("[data-active-minutes]");
    var display = timerForm.querySelector("[data-timer-display]");
    var started = new Date(timerForm.getAttribute("data-started-at"));
    var stored = parseFloat(localStorage.getItem(stepKey) || "NaN");
    // first visit: the time since the step started counts; later visits carry on from what was counted
    var activeSeconds = isNaN(stored) ? Math.max(0, (Date.now() - started.getTime()) / 1000) : stored;
    var edited = false;
    var lastTick = Date.now();
    minutesField.addEventListener("input", function () { edited = true; });
    function minutes() { return Math.min(480, Math.max(0, Math.round(activeSeconds / 60))); }
    function show() {
      var paused = document.visibilityState !== "visible";
      // minutes and seconds, so it is seen to run from the first second
      var whole = Math.floor(activeSeconds), seconds = whole % 60;
      display.textContent = "Timer: " + Math.floor(whole / 60) + " min " + (seconds < 10 ? "0" : "") + seconds + " s" +
        (paused ? " (paused while this page is hidden)" : "");
      activeField.value = String(minutes());
      if (!edited) { minutesField.value = String(Math.max(1, minutes())); }
    }
    setInterval(function () {
      var now = Date.now();
      if (document.visibilityState === "visible") { activeSeconds += (now - lastTick) / 1000; }
      lastTick = now;
      localStorage.setItem(stepKey, String(activeSeconds));
      show();
    }, 1000);
    document.addEventListener("visibilitychange", function () { lastTick = Date.now(); show(); });
    timerForm.addEventListener("submit", function () { localStorage.removeItem(stepKey); });
    show();
  }

  // ---- the contact timer on the desk: from "new contact" to save, carried across the page's steps ----
  var contactTimer = document.querySelector("[data-contact-timer]");
  if (contactTimer) {
    var contactDisplay = contactTimer.querySelector("[data-timer-display]");
    var secondsFields = document.querySelectorAll('input[name="contact_seconds"]');
    var editedFields = document.querySelectorAll('input[name="minutes_edited"]');
    var minuteFields = document.querySelectorAll('input[name="contact_minutes"], input[name="answered_minutes"]');
    var began = new Date(contactTimer.getAttribute("data-started-at"));
    var carried = secondsFields.length ? parseFloat(secondsFields[0].value) : NaN;
    // the first view counts from when the contact began; each later step carries on from what was counted
    var contactSeconds = !isNaN(carried) ? carried : (isNaN(began.getTime()) ? 0 : Math.max(0, (Date.now() - began.getTime()) / 1000));
    var contactEdited = editedFields.length && editedFields[0].value === "1";
    var contactTick = Date.now();
    minuteFields.forEach(function (field) {
      field.addEventListener("input", function () {
        contactEdited = true;
        editedFields.forEach(function (flag) { flag.value = "1"; });
        // both forms stand for one contact: the corrected minutes go to whichever is saved
        minuteFields.forEach(function (other) { if (other !== field) { other.value = field.value; } });
      });
    });
    function showContact() {
      var paused = document.visibilityState !== "visible";
      var whole = Math.floor(contactSeconds), seconds = whole % 60;
      contactDisplay.textContent = "On this contact: " + Math.floor(whole / 60) + " min " + (seconds < 10 ? "0" : "") + seconds + " s" +
        (paused ? " (paused while this page is hidden)" : "");
      secondsFields.forEach(function (field) { field.value = String(Math.round(contactSeconds)); });
      if (!contactEdited) {
        var minutes = String(Math.max(1, Math.min(480, Math.round(contactSeconds / 60))));
        minuteFields.forEach(function (field) { field.value = minutes; });
      }
    }
    setInterval(function () {
      var now = Date.now();
      if (document.visibilityState === "visible") { contactSeconds += (now - contactTick) / 1000; }
      contactTick = now;
      showContact();
    }, 1000);
    document.addEventListener("visibilitychange", function () { contactTick = Date.now(); showContact(); });
    showContact();
  }

  // ---- a form of several steps: Enter in a field presses its own section's button, not the form's first ----
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT" || event.defaultPrevented) { return; }
    if (["submit", "button"].indexOf(event.target.type) !== -1) { return; }
    var area = event.target.closest("[data-enter-submits]");
    var button = area && area.closest("form").querySelector('button[name="step"][value="' + area.getAttribute("data-enter-submits") + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  // ---- drafts: saved on the server as you type, on leaving the field, and when the page is hidden ----
  function saveDraft(area, useBeacon) {
    if (area.value === area.getAttribute("data-saved")) { return; }  // nothing new to keep
    area.setAttribute("data-saved", area.value);
    var body = new FormData();
    body.append("csrf_token", token);
    body.append("body", area.value);
    localStorage.setItem(area.getAttribute("data-draft-key"), JSON.stringify({body: area.value, at: Date.now()}));
    var status = area.parentNode.querySelector("[data-draft-status]");
    if (useBeacon && navigator.sendBeacon) { navigator.sendBeacon(area.getAttribute("data-draft"), body); return; }
    fetch(area.getAttribute("data-draft"), {method: "POST", body: body, credentials: "same-origin", redirect: "manual"})
      .then(function (response) {
        if (response.status === 204) {
          sent();
          localStorage.removeItem(area.getAttribute("data-draft-key"));
          if (status) { status.textContent = "Draft saved."; }
        } else if (status) {
          status.textContent = "Kept on this computer: sign in again and it will be saved.";
        }
      })
      .catch(function () {
        area.removeAttribute("data-saved");
        if (status) { status.textContent = "Kept on this computer until the connection is back."; }
      });
  }
  document.querySelectorAll("textarea[data-draft]").forEach(function (area) {
    area.setAttribute("data-saved", area.value);
    // text kept on this computer (a save that failed: signed out, offline) comes back, and is saved now
    var kept = localStorage.getItem(area.getAttribute("data-draft-key"));
    if (kept) {
      try {
        var draft = JSON.parse(kept);
        if (draft.body && draft.body !== area.value) { area.value = draft.body; saveDraft(area, false); }
      } catch (ignored) { localStorage.removeItem(area.getAttribute("data-draft-key")); }
    }
    var pending = null;
    area.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { saveDraft(area, false); }, 1500);
    });
    area.addEventListener("blur", function () { clearTimeout(pending); saveDraft(area, false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { clearTimeout(pending); saveDraft(area, true); }
    });
    if (area.form) {
      area.form.addEventListener("submit", function () { localStorage.removeItem(area.getAttribute("data-draft-key")); });
    }
  });

  // ---- "also viewing": tell the server this case is still open and in view ----
  var presence = document.querySelector("[data-presence]");
  if (presence) {
    setInterval(function () {
      if (document.visibilityState !== "visible") { return; }
      var body = new FormData();
      body.append("csrf_token", token);
      fetch(presence.getAttribute("data-presence"), {method: "POST", body: body, credentials: "same-origin", redirect: "manual"})
        .then(function (response) { if (response.ok) { sent(); } });
    }, 25000);
  }
}());
