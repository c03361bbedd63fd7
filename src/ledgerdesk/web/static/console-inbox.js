// Console inbox tools: ticking rows for the bulk actions (with "select all"), confirming a
// merge, and on the ticket page Ctrl+Enter (Cmd+Enter on a Mac) to send the reply and
// Ctrl+Shift+Enter to send it and open the next ticket of the view. Plain JS, no framework.
(function () {
  "use strict";
  function picks() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk-form"]')); }
  function showCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    var n = picks().filter(function (box) { return box.checked; }).length;
    label.textContent = n ? (label.dataset.some || "{n}").replace("{n}", String(n)) : label.dataset.none;
    var all = document.getElementById("bulk-all");
    if (all) { all.checked = n > 0 && n === picks().length; all.indeterminate = n > 0 && n < picks().length; }
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.id === "bulk-all") picks().forEach(function (box) { box.checked = t.checked; });
    if (t && (t.id === "bulk-all" || (t.name === "ids" && t.getAttribute("form") === "bulk-form"))) showCount();
  });
  // A click in the tick-box cell ticks the row; it must not open the ticket (app.js opens
  // a row's ticket on any click that reaches the document).
  function guardCells() {
    Array.prototype.forEach.call(document.querySelectorAll("table.tickets td.pick, table.tickets th.pick"), function (cell) {
      cell.addEventListener("click", function (e) {
        e.stopPropagation();
        if (e.target === cell) { var box = cell.querySelector("input"); if (box) { box.click(); } }
      });
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) e.preventDefault();
  });
  // Ctrl+Enter sends; with Shift, "Send and next". Runs before the live chat's own handler.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var box = document.getElementById("reply-body");
    if (!box || e.target !== box || !box.form) return;
    e.preventDefault();
    e.stopPropagation();
    var form = box.form;
    var submitter = e.shiftKey ? document.getElementById("send-next") : form.querySelector('button.primary[type="submit"]');
    if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
  }, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { guardCells(); showCount(); });
  else { guardCells(); showCount(); }
})();
