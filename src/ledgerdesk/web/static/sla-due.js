// SLA countdown (sla/_due.html): every second, the time left to each <time data-sla-due>,
// red once past due. Loaded once per partial; runs once per page.
(function () {
  if (window.ledgerdeskSlaDue) return;
  window.ledgerdeskSlaDue = true;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(seconds, days) {
    var s = Math.abs(Math.floor(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), r = s % 60;
    var whole = d ? (days || "{days}d").replace("{days}", String(d)) + " " : "";
    return whole + pad(h) + ":" + pad(m) + ":" + pad(r);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-sla-due]").forEach(function (el) {
      var box = el.closest(".sla-due");
      var out = box && box.querySelector("[data-sla-left]");
      var due = Date.parse(el.getAttribute("datetime"));
      if (!out || isNaN(due)) return;
      var left = (due - now) / 1000;
      if (left < 0) {
        out.textContent = box.getAttribute("data-over") + " " + span(left, box.getAttribute("data-days"));
        box.setAttribute("data-sla-state", "breached");
        box.classList.add("sla-breached");
        box.style.color = "var(--bad)";
        box.style.fontWeight = "700";
      } else {
        out.textContent = span(left, box.getAttribute("data-days")) + " " + box.getAttribute("data-left");
      }
    });
  }
  function start() { tick(); setInterval(tick, 1000); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSwap", tick);
})();
