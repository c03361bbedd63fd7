/* The chat frame's controller: the parent page (widget.js), identity, the websocket and its
   frames, sending through the outbox, typing, delivered and read marks. Loaded last. */
(function () {
  "use strict";
  var F = window.LedgerdeskFrame;
  var Conn = window.LedgerdeskConn;
  var C = F.C, api = F.api, store = F.store, embedded = F.embedded, state = F.state;
  var $ = F.$, t = F.t, errorText = F.errorText, formError = F.formError, notice = F.notice;
  var show = F.show, render = F.render, loadStatus = F.loadStatus, renderQueue = F.renderQueue;
  var agentReplied = F.agentReplied, showOffline = F.showOffline, focusView = F.focusView;
  var el = F.el, fileSize = F.fileSize, clearMessages = F.clearMessages;
  var submitIdentity = F.submitIdentity, submitOffline = F.submitOffline;
  var openHistory = F.openHistory, startVerify = F.startVerify, submitVerify = F.submitVerify;
  var RESEND_AFTER = 8000;
  var outbox = null;
  var socket = null;
  var timers = {};

  /* ---- the parent page (widget.js) ---------------------------------------------------- */
  function toParent(message) {
    if (!embedded) { return; }
    message.source = "ledgerdesk-chat";
    window.parent.postMessage(message, C.parentOrigin);
  }
  function fromParent(event) {
    var m = event.data;
    if (event.source !== window.parent || event.origin !== C.parentOrigin) { return; }
    if (!m || m.source !== "ledgerdesk-chat") { return; }
    if (m.type === "hello") {
      state.open = !!m.open;
      if (!state.begun) {
        clearTimeout(timers.hello);
        store.seed(m.stored);
        var stored = store.get("visitor", null);
        if (!jwtOrNull(m.token) && stored && stored.identity === "signed") {
          forgetVisitor();  // the exchange no longer vouches for them: signed out there, so here
        }
        begin(jwtOrNull(m.token));
      } else {
        identityChanged(jwtOrNull(m.token));
      }
    } else if (m.type === "identify") {
      identityChanged(jwtOrNull(m.token));
    } else if (m.type === "reset") {
      forgetVisitor();
      window.location.reload();
    } else if (m.type === "visibility") {
      state.open = !!m.open;
      visibilityChanged();
      if (state.open) { focusView(); }
    }
  }
  function jwtOrNull(token) {
    return typeof token === "string" && token.length < 8192 &&
      /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token) ? token : null;
  }
  function jwtSubject(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var bytes = Uint8Array.from(window.atob(part), function (c) { return c.charCodeAt(0); });
      return String(JSON.parse(new TextDecoder().decode(bytes)).sub || "");
    } catch (e) {
      return "";
    }
  }
  /* The exchange signed someone else in (or the same person again, with a fresh token). */
  function identityChanged(token) {
    var v = state.visitor;
    if (!token || (v && v.identity === "signed" && v.sub === jwtSubject(token))) { return; }
    forgetVisitor();
    window.location.reload();  // the loader hands the new token to the new page
  }
  function forgetVisitor() {
    ["visitor", "conversation", "outbox"].forEach(function (key) { store.set(key, null); });
  }

  /* ---- identity ----------------------------------------------------------------------- */
  function begin(token) {
    state.begun = true;
    state.visitor = store.get("visitor", null);
    if (state.visitor && !state.visitor.token) { state.visitor = null; }
    var v = state.visitor;
    var sub = token ? jwtSubject(token) : "";
    if (token && !(v && v.identity === "signed" && v.sub === sub)) {
      api.request("POST", "/chat/api/identify", { token: token }).then(function (answer) {
        if (v && v.sub !== sub) { forgetVisitor(); }
        adopt(answer, sub);
        start();
      }, function (error) {
        notice(t("error_sign_in", { reason: errorText(error) }), true);
        if (v && v.token && v.identity === "email") { start(); } else { askIdentity(); }
      });
      return;
    }
    if (v && v.token) { start(); } else { askIdentity(); }
  }
  function adopt(answer, sub) {
    state.visitor = {
      token: answer.visitor_token, identity: answer.identity, verified: !!answer.verified,
      customer: answer.customer || {}, sub: sub || ""
    };
    store.set("visitor", state.visitor);
  }
  function askIdentity() {
    loadStatus().then(function (hours) {
      if (hours && hours.open === false) { showOffline(); } else { show("identify", "identify-email"); }
    });
  }

  /* ---- the chat ------------------------------------------------------------------------ */
  function start() {
    api.token = state.visitor.token;
    outbox = new Conn.Outbox("outbox");
    state.outbox = outbox;
    setConversation(store.get("conversation", null));
    var email = (state.visitor.customer || {}).email;
    $("chat-who").textContent = email ? t("signed_in_as", { email: email }) : "";
    $("chat-who").hidden = !email;
    $("history-button").hidden = false;
    loadStatus().then(function (hours) {
      var busy = state.conversation || outbox.entries.length;
      if (hours && hours.open === false && !busy) { showOffline(); } else { showConversation(); }
    });
    ensureSocket();
    render();
    timers.tick = setInterval(tick, 2000);
    reportActive();
  }
  function setConversation(id) {
    state.conversation = typeof id === "number" ? id : null;
    store.set("conversation", state.conversation);
    $("chat").dataset.conversation = state.conversation || "";
  }
  function showConversation() {
    show("conversation", "composer-input");
    renderQueue();
    markLater();
  }
  function tick() {
    var now = Date.now();
    flush();
    connectionNotice();
    var waiting = state.view === "conversation" && !agentReplied() && state.status !== "closed";
    if (waiting && now - state.lastStatus > 20000) { loadStatus(); }
    if (state.conversation && !(socket && socket.ready) && now - state.downSince > 8000 &&
        now - state.lastPoll > 5000) {
      poll();
    }
  }
  function ensureSocket() {
    if (!socket) {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new Conn.Socket(scheme + window.location.host + "/chat/ws", {
        open: function () { socket.send({ type: "hello", token: api.token, lang: C.lang }); },
        frame: onFrame, closed: onClosed, down: onDown
      });
    }
    socket.start();
  }
  function onDown() {
    state.downSince = Date.now();
    state.subscribed = false;
    if (outbox) { outbox.entries.forEach(function (e) { if (!e.files.length) { e.sent_at = 0; } }); }
  }
  function onClosed(code) {
    if (!state.downSince) { state.downSince = Date.now(); }
    if (code === 4401) { reauthenticate(); return false; }
    if (code === 4403) { notice(t("error_origin"), true); return false; }
    return true;
  }
  /* The visitor token is no longer accepted: identify again (the loader hands over a fresh
     exchange token to the reloaded page), at most once a minute. */
  function reauthenticate() {
    var last = store.get("reauth_at", 0);
    if (Date.now() - last < 60000) { notice(t("error_not_authenticated"), true); return; }
    store.set("reauth_at", Date.now());
    store.set("visitor", null);
    window.location.reload();
  }
  function onFrame(f) {
    if (f.type === "welcome") {
      socket.welcomed(f.heartbeat);
      state.downSince = 0;
      state.everWelcomed = true;
      connectionNotice();
      if (state.conversation) { subscribe(); } else { flush(); }
    } else if (f.type === "subscribed") {
      if (f.conversation !== state.conversation) { return; }
      state.subscribed = true;
      applyState(f.state || {});
      state.sentReceived = state.marks.customer_delivered;
      state.sentRead = state.marks.customer_read;
      flush();
      markLater();
    } else if (f.type === "message") {
      receive(f);
    } else if (f.type === "ack") {
      acked(f);
    } else if (f.type === "error") {
      refused(f);
    } else if (f.type === "typing") {
      typingShown(f);
    } else if (f.type === "marks" && f.conversation === state.conversation) {
      applyMarks(f.marks || {});
    }
  }
  function subscribe() {
    state.subscribed = false;
    socket.send({ type: "subscribe", conversation: state.conversation, last_seq: state.maxSeq });
  }
  function applyState(s) {
    if (s.status) { state.status = s.status; }
    applyMarks(s.marks || {});
    $("ended").hidden = state.status !== "closed";
    $("composer").hidden = state.status === "closed";
    reportActive();
  }
  function applyMarks(m) {
    Object.keys(state.marks).forEach(function (k) {
      if (typeof m[k] === "number" && m[k] > state.marks[k]) { state.marks[k] = m[k]; }
    });
    render();
    reportUnread();
  }
  function receive(item) {
    if (item.conversation !== state.conversation || typeof item.seq !== "number") { return; }
    if (item.kind === "note") { return; }
    if (item.client_id && outbox.find(item.client_id)) { outbox.remove(item.client_id); }
    state.items.set(item.seq, item);
    if (item.seq > state.maxSeq) { state.maxSeq = item.seq; }
    if (item.author && item.author.kind !== "customer") {
      $("typing").textContent = "";
      renderQueue();
    }
    render();
    markLater();
  }
  function acked(a) {
    var entry = outbox.find(a.client_id);
    if (!entry) { return; }
    outbox.remove(a.client_id);
    if (!state.conversation && typeof a.conversation === "number") {
      setConversation(a.conversation);
      outbox.opened(a.conversation);
      if (socket && socket.ready) { subscribe(); }
      loadStatus();
    }
    if (a.conversation === state.conversation && !state.items.has(a.seq)) {
      // Shown at its place until the item itself arrives (same seq: it replaces this one).
      // The resume point (maxSeq) moves only with items received, never with an ack.
      state.items.set(a.seq, {
        conversation: a.conversation, seq: a.seq, id: a.message_id, client_id: a.client_id,
        author: { kind: "customer", name: "" }, body: entry.body, created_at: entry.created_at,
        attachments: entry.files.map(function (f) {
          return { id: null, filename: f.name, content_type: f.type, size: f.size };
        })
      });
    }
    render();
    flush();
    reportActive();
  }
  function refused(f) {
    if (!f.client_id) {
      if (f.code === "not_found" && state.conversation && !state.subscribed) {
        newConversation(false);  // gone, or opened by another visitor on this browser
      } else {
        notice(errorText(f), true);
      }
      return;
    }
    var entry = outbox.find(f.client_id);
    if (!entry) { return; }
    entry.inflight = false;
    entry.sent_at = 0;
    if (f.code === "rate_limited") {
      entry.next_try = Date.now() + (Number(f.retry_after) || 5) * 1000;
      return;
    }
    outbox.remove(f.client_id);
    if (["closed", "ticket_closed", "invalid_transition"].indexOf(f.code) >= 0) {
      conversationEnded();
      restoreDraft(entry);
      return;
    }
    entry.error = errorText(f);
    state.failed.push(entry);
    render();
  }
  function conversationEnded() {
    state.status = "closed";
    $("ended").hidden = false;
    $("composer").hidden = true;
    reportActive();
  }
  function restoreDraft(entry) {
    var box = $("composer-input");
    if (!box.value) { box.value = entry.body; }
    if (!state.chosen.length && entry.files.length) { state.chosen = entry.files.slice(); renderChosen(); }
  }
  function newConversation(focus) {
    setConversation(null);
    state.items.clear();
    state.failed = [];
    state.maxSeq = state.sentReceived = state.sentRead = 0;
    state.status = null;
    Object.keys(state.marks).forEach(function (k) { state.marks[k] = 0; });
    $("ended").hidden = true;
    $("composer").hidden = false;
    $("typing").textContent = "";
    clearMessages();
    showConversation();
    if (focus) { $("composer-input").focus(); }
    reportActive();
  }
  function switchConversation(id) {
    newConversation(false);
    setConversation(id);
    socket.restart();
    loadStatus();
    reportActive();
  }

  /* ---- sending ------------------------------------------------------------------------- */
  function flush() {
    if (!outbox) { return; }
    var now = Date.now();
    var ready = !!(socket && socket.ready);
    var viaHttp = !ready && state.downSince && now - state.downSince > 4000;
    outbox.due(ready, now, RESEND_AFTER).forEach(function (e) {
      if (e.files.length || viaHttp) {
        upload(e);
      } else if (ready && socket.send({ type: "send", client_id: e.client_id,
          conversation: e.conversation, body: e.body, kind: "public" })) {
        e.sent_at = now;
      }
    });
  }
  function upload(e) {
    var form = new FormData();
    form.append("client_id", e.client_id);
    form.append("body", e.body);
    e.files.forEach(function (file) { form.append("files", file, file.name); });
    var path = e.conversation === null ? "/chat/api/messages"
      : "/chat/api/conversations/" + e.conversation + "/messages";
    e.inflight = true;
    e.sent_at = Date.now();
    api.request("POST", path, form).then(function (ack) {
      e.inflight = false;
      acked(ack);
    }, function (error) {
      e.inflight = false;
      if (error.status === 0 || error.status >= 500) {
        e.tries = (e.tries || 0) + 1;
        e.next_try = Date.now() + Math.min(30000, 1000 * Math.pow(2, e.tries));
        render();
      } else if (error.status === 401) {
        reauthenticate();
      } else {
        refused({ client_id: e.client_id, code: error.code, message: error.message,
          retry_after: error.retryAfter });
      }
    });
  }
  function submitComposer(event) {
    if (event) { event.preventDefault(); }
    var box = $("composer-input");
    var body = box.value;
    if (!body.trim() && !state.chosen.length) { return formError("composer-error", t("error_empty")); }
    if (body.length > C.maxChars) {
      return formError("composer-error", t("error_too_long", { count: C.maxChars }));
    }
    formError("composer-error", "");
    outbox.add(state.conversation, body.trim() ? body : "", state.chosen.slice());
    box.value = "";
    autosize();
    state.chosen = [];
    renderChosen();
    stopTyping();
    render(true);
    flush();
    reportActive();
  }
  function chooseFiles() {
    var input = $("file-input");
    var added = Array.prototype.slice.call(input.files || []);
    input.value = "";
    for (var i = 0; i < added.length; i++) {
      if (added[i].size > C.maxFileBytes) {
        formError("composer-error", t("error_file_too_large",
          { name: added[i].name, size: fileSize(C.maxFileBytes) }));
        return;
      }
    }
    if (state.chosen.length + added.length > C.maxFiles) {
      formError("composer-error", t("error_too_many_files", { count: C.maxFiles }));
      return;
    }
    formError("composer-error", "");
    state.chosen = state.chosen.concat(added);
    renderChosen();
    $("composer-input").focus();
  }
  function renderChosen() {
    var list = $("chosen-files");
    list.textContent = "";
    state.chosen.forEach(function (file, index) {
      var item = el("li");
      item.appendChild(el("span", "", file.name + " (" + fileSize(file.size) + ")"));
      var remove = el("button", "", "\u00d7");
      remove.type = "button";
      remove.setAttribute("aria-label", t("remove_file", { name: file.name }));
      remove.addEventListener("click", function () {
        state.chosen.splice(index, 1);
        renderChosen();
        $("composer-input").focus();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    list.hidden = !state.chosen.length;
  }

  /* ---- typing -------------------------------------------------------------------------- */
  function typingInput() {
    autosize();
    if (!state.conversation || !socket || !socket.ready) { return; }
    var now = Date.now();
    if (now - state.typingSentAt > 3000) {
      socket.send({ type: "typing", conversation: state.conversation, state: true });
      state.typingSentAt = now;
    }
    clearTimeout(timers.typing);
    timers.typing = setTimeout(stopTyping, 4000);
  }
  function stopTyping() {
    clearTimeout(timers.typing);
    if (state.typingSentAt && state.conversation && socket && socket.ready) {
      socket.send({ type: "typing", conversation: state.conversation, state: false });
    }
    state.typingSentAt = 0;
  }
  function typingShown(f) {
    if (f.conversation !== state.conversation || !f.who || f.who.kind === "customer") { return; }
    clearTimeout(timers.agentTyping);
    $("typing").textContent = !f.state ? "" :
      (f.who.name ? t("typing", { name: f.who.name }) : t("typing_someone"));
    if (f.state) { timers.agentTyping = setTimeout(function () { $("typing").textContent = ""; }, 8000); }
  }
  function autosize() {
    var box = $("composer-input");
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, 140) + "px";
  }

  /* ---- marks, unread, active ----------------------------------------------------------- */
  function visible() {
    return state.open && document.visibilityState === "visible" && state.view === "conversation";
  }
  function markLater() {
    clearTimeout(timers.marks);
    timers.marks = setTimeout(sendMarks, 250);
  }
  function sendMarks() {
    if (state.conversation && socket && socket.ready && state.subscribed) {
      if (state.maxSeq > state.sentReceived) {
        socket.send({ type: "received", conversation: state.conversation, seq: state.maxSeq });
        state.sentReceived = state.maxSeq;
      }
      if (visible() && state.maxSeq > state.sentRead) {
        socket.send({ type: "read", conversation: state.conversation, seq: state.maxSeq });
        state.sentRead = state.maxSeq;
      }
    }
    reportUnread();
  }
  function reportUnread() {
    var read = Math.max(state.sentRead, state.marks.customer_read);
    var count = 0;
    state.items.forEach(function (item) {
      if (item.seq > read && item.author && item.author.kind !== "customer") { count += 1; }
    });
    if (count !== state.unread) {
      state.unread = count;
      toParent({ type: "unread", count: count });
    }
  }
  function reportActive() {
    var busy = !!(outbox && outbox.entries.length);
    toParent({ type: "active", value: busy || (!!state.conversation && state.status !== "closed") });
  }
  function visibilityChanged() {
    if (visible()) {
      markLater();
      if (socket) { socket.kick(); }
    }
  }


  /* ---- HTTP replay while the socket is down -------------------------------------------- */
  function poll() {
    var conversation = state.conversation;
    state.lastPoll = Date.now();
    api.request("GET", "/chat/api/conversations/" + conversation + "?after=" + state.maxSeq)
      .then(function (data) {
        if (conversation !== state.conversation || !data) { return; }
        applyState(data.state || {});
        (data.items || []).forEach(function (item) {
          item.conversation = item.conversation || conversation;
          receive(item);
        });
      }, function () { /* the next tick tries again */ });
  }


  function connectionNotice() {
    var down = socket && !socket.ready && state.downSince && Date.now() - state.downSince > 1500;
    var text = !down ? "" : !navigator.onLine ? t("offline_network")
      : state.everWelcomed ? t("reconnecting") : t("connecting");
    if ($("connection").textContent !== text) { $("connection").textContent = text; }
  }

  /* ---- wiring -------------------------------------------------------------------------- */
  function bind() {
    $("identify-form").addEventListener("submit", submitIdentity);
    $("offline-form").addEventListener("submit", submitOffline);
    $("composer").addEventListener("submit", submitComposer);
    $("verify-form").addEventListener("submit", submitVerify);
    $("verify-start").addEventListener("click", startVerify);
    $("history-button").addEventListener("click", openHistory);
    $("history-back").addEventListener("click", showConversation);
    $("verify-back").addEventListener("click", showConversation);
    $("new-conversation").addEventListener("click", function () { newConversation(true); });
    $("attach-button").addEventListener("click", function () { $("file-input").click(); });
    $("file-input").addEventListener("change", chooseFiles);
    $("close-button").addEventListener("click", function () { toParent({ type: "close" }); });
    var box = $("composer-input");
    box.maxLength = C.maxChars;
    $("offline-body").maxLength = C.maxChars;
    box.addEventListener("input", typingInput);
    box.addEventListener("keydown", function (event) {
      // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        submitComposer(event);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && embedded) { toParent({ type: "close" }); }
    });
    document.addEventListener("visibilitychange", visibilityChanged);
    window.addEventListener("online", function () { if (socket) { socket.kick(); } flush(); });
    window.addEventListener("offline", connectionNotice);
    window.addEventListener("focus", visibilityChanged);
  }

  /* A quick reply (the assistant's yes/no buttons): sent as if typed. */
  function sendText(text) {
    if (!outbox || state.status === "closed") { return; }
    outbox.add(state.conversation, text, []);
    render(true);
    flush();
    reportActive();
  }

  F.ctl.adopt = adopt;
  F.ctl.sendText = sendText;
  F.ctl.start = start;
  F.ctl.switchConversation = switchConversation;
  bind();
  $("close-button").hidden = !embedded;
  if (embedded) {
    store.mirror = function (key, value) { toParent({ type: "store", key: key, value: value }); };
    window.addEventListener("message", fromParent);
    toParent({ type: "ready" });
    // Without an answer (no loader on the page), go on as a page of its own.
    timers.hello = setTimeout(function () { if (!state.begun) { begin(null); } }, 3000);
  } else {
    begin(null);
  }
})();
