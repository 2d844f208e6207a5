// Newsroom consoles: keyboard shortcuts, the help dialog, and the live queue.
// Progressive enhancement only: every action is a plain form or link that works without
// this file. No dependencies; fetch and EventSource.
(function () {
  "use strict";

  var help = document.getElementById("help");
  var announcer = document.getElementById("announce");

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function toggleHelp() {
    if (!help || typeof help.showModal !== "function") return;
    if (help.open) help.close(); else help.showModal();
  }

  document.querySelectorAll("[data-help]").forEach(function (button) {
    button.addEventListener("click", toggleHelp);
  });

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function shortcut(key) {
    var found = document.querySelectorAll('[data-key~="' + key + '"]');
    for (var i = 0; i < found.length; i++) {
      if (!found[i].disabled && visible(found[i])) return found[i];
    }
    return null;
  }

  // j / k over a list of links (the queue) when the page has no j / k target of its own.
  function moveInList(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]"));
    if (!links.length) return false;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    if (help && help.open && event.key !== "?") return;
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (key.length !== 1) return;
    var target = shortcut(key);
    if (target) {
      event.preventDefault();
      if (target.hasAttribute("data-key-focus")) {
        target.focus();
        if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
      } else {
        target.click();
      }
      return;
    }
    if (key === "j" || key === "k") {
      if (moveInList(key === "j" ? 1 : -1)) event.preventDefault();
    }
  });

  // Filters apply as soon as they change.
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form && select.form.requestSubmit) select.form.requestSubmit();
      else if (select.form) select.form.submit();
    });
  });

  // "How obtained" starts at the usual channel for the kind of source chosen, and follows
  // another choice of kind until the reviewer picks a channel of their own.
  document.querySelectorAll("[data-default-via]").forEach(function (kind) {
    var via = document.getElementById(kind.getAttribute("data-default-via"));
    var defaults = {};
    try { defaults = JSON.parse(kind.getAttribute("data-vias") || "{}"); } catch (e) { defaults = {}; }
    var given = ""; // the channel this script last chose
    kind.addEventListener("change", function () {
      if (!via || (via.value && via.value !== given)) return;
      given = defaults[kind.value] || "";
      via.value = given;
    });
  });

  // A form is not sent twice.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });

  // Back to a page from the history: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
  });

  // The claim under review, in view.
  var start = document.getElementById("claim-start");
  if (start && start.scrollIntoView) start.scrollIntoView({ block: "center" });

  // --- the live list: refresh its fragment when the server says it changed -------------
  var live = document.querySelector("[data-live-fragment]");
  if (live && window.EventSource) {
    var status = document.querySelector("[data-live-status]");
    var busy = false;
    var again = false;

    var setStatus = function (state, text) {
      if (!status) return;
      status.setAttribute("data-state", state);
      status.textContent = text;
    };

    var refresh = function () {
      if (busy) { again = true; return; }
      busy = true;
      var focused = document.activeElement && document.activeElement.getAttribute("data-nav-item");
      fetch(live.getAttribute("data-live-fragment"), {
        headers: { "X-Fragment": "1" },
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        var signIn = response.headers.get("X-Sign-In");
        if (response.status === 401 && signIn) {
          window.location.assign(signIn);
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        live.setAttribute("data-version", response.headers.get("X-Live-Version") || "");
        return response.text();
      }).then(function (html) {
        if (html === null) return;
        live.innerHTML = html;
        if (focused) {
          var again_ = live.querySelector('[data-nav-item="' + focused + '"]');
          if (again_) again_.focus();
        }
        var summary = live.querySelector("[data-live-summary]");
        announce(summary ? summary.textContent.trim() : "List updated");
      }).catch(function () {
        setStatus("off", "Live updates paused");
      }).then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
    };

    var source = new EventSource(live.getAttribute("data-live-events"));
    source.addEventListener("open", function () { setStatus("on", "Live"); });
    source.addEventListener("error", function () { setStatus("off", "Reconnecting…"); });
    source.addEventListener(live.getAttribute("data-live-event") || "change", function (event) {
      setStatus("on", "Live");
      var version = "";
      try { version = JSON.parse(event.data).version || ""; } catch (e) { version = ""; }
      if (version && version !== live.getAttribute("data-version")) refresh();
    });
  }
})();
