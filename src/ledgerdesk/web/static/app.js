// Keyboard shortcuts for the console. Plain JS, no framework; htmx does the requests.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.tickets tbody tr[data-href]")); }
  function move(step) {
    var list = rows(); if (!list.length) return;
    var i = list.findIndex(function (r) { return r.classList.contains("selected"); });
    if (i >= 0) list[i].classList.remove("selected");
    i = Math.max(0, Math.min(list.length - 1, i + step));
    list[i].classList.add("selected"); list[i].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    var el;
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": el = document.querySelector("tr.selected"); if (el) window.location = el.dataset.href; break;
      case "/": el = document.getElementById("search"); if (el) { e.preventDefault(); el.focus(); } break;
      case "r": el = document.getElementById("reply-body"); if (el) { e.preventDefault(); el.focus(); } break;
      case "n": el = document.getElementById("kind-note"); if (el) { el.checked = true; document.getElementById("reply-body").focus(); e.preventDefault(); } break;
      case "g": window.location = "/console/inbox?view=mine"; break;
      case "?": el = document.getElementById("shortcuts"); if (el) el.hidden = !el.hidden; break;
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]")) e.target.form.submit();
  });
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a")) window.location = row.dataset.href;
  });
})();
// Knowledge base: htmx fragments inside [data-swap-errors] show their 4xx answers (a refused
// search or feedback explains itself in place), and the help center's instant results can
// be walked with the arrow keys.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    var target = e.detail.target;
    if (status >= 400 && status < 500 && target && target.closest && target.closest("[data-swap-errors]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("keydown", function (e) {
    var input = document.getElementById("help-q");
    var box = document.getElementById("suggestions");
    if (!input || !box || (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Escape")) return;
    if (e.target !== input && !box.contains(e.target)) return;
    if (e.key === "Escape") { box.innerHTML = ""; input.focus(); return; }
    var links = Array.prototype.slice.call(box.querySelectorAll(".suggest-list a"));
    if (!links.length) return;
    e.preventDefault();
    var i = links.indexOf(document.activeElement);
    i = e.key === "ArrowDown" ? Math.min(links.length - 1, i + 1) : i - 1;
    if (i < 0) { input.focus(); } else { links[i].focus(); }
  });
})();
// Console: "Insert link" on a suggested article appends its title and URL to the reply box.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button.insert-link") : null;
    var box = document.getElementById("reply-body");
    if (!button || !box) return;
    var text = button.getAttribute("data-insert") || "";
    box.value = box.value ? box.value.replace(/\s*$/, "") + "\n\n" + text : text;
    box.focus();
  });
})();
// Console: "Use this reply" copies the assistant's suggestion (as the agent edited it) into the
// reply box as a public reply. It sends nothing; the agent still presses Send.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button.use-assistant-reply") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-source") || "");
    var box = document.getElementById(button.getAttribute("data-target") || "");
    if (!source || !box) return;
    box.value = source.value;
    var publicReply = box.form && box.form.querySelector("input[name=kind][value=public]");
    if (publicReply) publicReply.checked = true; // a suggestion is written to the customer
    box.focus();
  });
})();
