/* The chat frame's forms beside the conversation: the e-mail identity, business hours with
   the queue and the offline form, past conversations and the e-mail code that unlocks them.
   Loaded after ui.js; frame.js fills in F.ctl (start, adopt, switchConversation...). */
(function () {
  "use strict";
  var F = window.LedgerdeskFrame;
  var C = F.C, S = F.S, api = F.api, store = F.store, state = F.state, $ = F.$, t = F.t;
  var el = F.el;
  var when = F.when, errorText = F.errorText, formError = F.formError, show = F.show;
  var validEmail = F.validEmail, agentReplied = F.agentReplied;

  function submitIdentity(event) {
    event.preventDefault();
    var email = $("identify-email").value.trim();
    if (!validEmail(email)) { return formError("identify-error", t("error_email"), "identify-email"); }
    formError("identify-error", "");
    $("identify-submit").disabled = true;
    var body = { email: email, name: $("identify-name").value.trim(), locale: C.lang };
    api.request("POST", "/chat/api/identify", body).then(function (answer) {
      F.ctl.adopt(answer, "");
      F.ctl.start();
    }, function (error) {
      formError("identify-error", errorText(error), "identify-email");
    }).then(function () { $("identify-submit").disabled = false; });
  }

  /* ---- queue and business hours -------------------------------------------------------- */
  function loadStatus() {
    state.lastStatus = Date.now();
    var query = state.conversation ? "?conversation=" + encodeURIComponent(state.conversation) : "";
    return api.request("GET", "/chat/api/status" + query).then(function (hours) {
      state.hours = hours;
      renderQueue();
      return hours;
    }, function () { return null; });
  }
  function renderQueue() {
    var s = state.hours;
    var box = $("queue");
    var lines = [];
    if (s && !agentReplied() && state.status !== "closed") {
      if (s.open === false) { lines.push(closedText(s)); }
      else if (s.agents_online === 0) { lines.push(t("no_agents")); }
      if (state.conversation && s.position) { lines.push(t("queue_position", { position: s.position })); }
      var wait = s.expected_wait_seconds;
      if (state.conversation && typeof wait === "number") {
        lines.push(wait < 60 ? t("queue_wait_short") : t("queue_wait", { minutes: Math.round(wait / 60) }));
      } else if (state.conversation && s.position && s.open !== false && s.agents_online !== 0) {
        lines.push(t("queue_soon"));
      }
    }
    var text = lines.join(" ");
    if (box.textContent !== text) { box.textContent = text; }
    box.hidden = !text;
  }
  function closedText(s) {
    return s && s.next_open ? t("closed_until", { when: when(s.next_open, true) }) : t("closed");
  }
  function showOffline() {
    show("offline", "offline-email");
    $("offline-hours").textContent = closedText(state.hours);
    var customer = (state.visitor && state.visitor.customer) || {};
    if (customer.email && !$("offline-email").value) { $("offline-email").value = customer.email; }
    if (customer.name && !$("offline-name").value) { $("offline-name").value = customer.name; }
  }
  function submitOffline(event) {
    event.preventDefault();
    var email = $("offline-email").value.trim();
    var body = $("offline-body").value;
    if (!validEmail(email)) { return formError("offline-error", t("error_email"), "offline-email"); }
    if (!body.trim()) { return formError("offline-error", t("error_empty"), "offline-body"); }
    if (body.length > C.maxChars) {
      return formError("offline-error", t("error_too_long", { count: C.maxChars }), "offline-body");
    }
    formError("offline-error", "");
    $("offline-submit").disabled = true;
    var payload = { email: email, name: $("offline-name").value.trim(), body: body, locale: C.lang };
    api.request("POST", "/chat/api/offline", payload).then(function () {
      $("offline-form").hidden = true;
      $("offline-done-text").textContent = t("offline_sent", { email: email });
      $("offline-done").hidden = false;
      $("offline-done").focus();
    }, function (error) {
      formError("offline-error", errorText(error), "offline-body");
    }).then(function () { $("offline-submit").disabled = false; });
  }

  /* ---- past conversations and e-mail verification -------------------------------------- */
  function openHistory() {
    if (!state.visitor) { return; }
    if (!state.visitor.verified) {
      $("verify-form").hidden = true;
      formError("verify-error", "");
      show("verify", "verify-start");
      return;
    }
    var list = $("history-list");
    list.textContent = "";
    formError("history-error", "");
    show("history", "history-title");
    api.request("GET", "/chat/api/conversations").then(function (data) {
      var rows = (data && data.conversations) || [];
      if (!rows.length) { list.appendChild(el("li", "muted", t("history_empty"))); }
      rows.forEach(function (row) {
        var button = el("button");
        button.type = "button";
        button.appendChild(el("span", "subject", row.subject || "#" + row.conversation));
        button.appendChild(el("span", "facts", t("history_item", {
          id: row.conversation, status: S.status_labels[row.status] || "",
          when: when(row.updated_at, false)
        })));
        button.addEventListener("click", function () {
          F.ctl.switchConversation(row.conversation);
          $("composer-input").focus();
        });
        var item = el("li");
        item.appendChild(button);
        list.appendChild(item);
      });
    }, function (error) { formError("history-error", errorText(error)); });
  }
  function startVerify() {
    $("verify-start").disabled = true;
    api.request("POST", "/chat/api/verify/start", {}).then(function (answer) {
      state.verifyExtra = {};
      Object.keys(answer || {}).forEach(function (k) { if (k !== "sent") { state.verifyExtra[k] = answer[k]; } });
      $("verify-sent").textContent = t("verify_sent", { email: (state.visitor.customer || {}).email || "" });
      $("verify-form").hidden = false;
      formError("verify-error", "");
      $("verify-code").focus();
    }, function (error) { formError("verify-error", errorText(error)); })
      .then(function () { $("verify-start").disabled = false; });
  }
  function submitVerify(event) {
    event.preventDefault();
    var code = $("verify-code").value.trim();
    if (!/^\d{6}$/.test(code)) { return formError("verify-error", t("error_code"), "verify-code"); }
    var payload = { code: code };
    Object.keys(state.verifyExtra).forEach(function (k) { payload[k] = state.verifyExtra[k]; });
    api.request("POST", "/chat/api/verify", payload).then(function () {
      state.visitor.verified = true;
      store.set("visitor", state.visitor);
      $("verify-code").value = "";
      openHistory();
    }, function (error) { formError("verify-error", errorText(error), "verify-code"); });
  }


  F.submitIdentity = submitIdentity;
  F.loadStatus = loadStatus;
  F.renderQueue = renderQueue;
  F.showOffline = showOffline;
  F.submitOffline = submitOffline;
  F.openHistory = openHistory;
  F.startVerify = startVerify;
  F.submitVerify = submitVerify;
})();
