/* The chat frame's shared pieces: its configuration and texts (chat/frame_strings.py, in
   the request's language), the state every part reads, small helpers, and the message list.
   Loaded after conn.js, before panels.js and frame.js. */
(function () {
  "use strict";
  var Conn = window.LedgerdeskConn;
  var C = JSON.parse(document.getElementById("chat-config").textContent);
  var S = C.strings;
  var api = new Conn.Api(C.lang);
  var store = Conn.store;
  var embedded = window.parent !== window && !!C.parentOrigin;
  var RESEND_AFTER = 8000;
  var RASTER = /^image\/(png|jpeg|gif|webp)$/;

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var text = typeof S[key] === "string" ? S[key] : S.error_generic;
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return vars && vars[name] !== undefined ? String(vars[name]) : whole;
    });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var state = {
    begun: false, visitor: null, conversation: null, status: null, subscribed: false,
    items: new Map(), maxSeq: 0, failed: [], hours: null, view: "loading",
    marks: { customer_delivered: 0, customer_read: 0, agent_delivered: 0, agent_read: 0 },
    sentReceived: 0, sentRead: 0, unread: -1, open: !embedded, downSince: Date.now(),
    lastPoll: 0, lastStatus: 0, chosen: [], typingSentAt: 0, verifyExtra: {}
  };

  /* ---- rendering the conversation ------------------------------------------------------ */
  var nodes = new Map();
  var blobs = new Map();
  function clearMessages() {
    nodes.clear();
    $("messages").textContent = "";
  }
  function entries() {
    var list = Array.from(state.items.values()).sort(function (a, b) { return a.seq - b.seq; });
    var local = (state.outbox ? state.outbox.entries : []).concat(state.failed).filter(function (e) {
      return e.conversation === state.conversation;
    });
    return list.map(function (item) {
      return { key: "s" + item.seq, item: item, mine: !!item.author && item.author.kind === "customer" };
    }).concat(local.map(function (e) {
      return { key: "c" + e.client_id, local: e, mine: true };
    }));
  }
  function render(toBottom) {
    var box = $("scroller");
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var list = $("messages");
    var wanted = entries();
    var lastMine = 0;
    wanted.forEach(function (w) { if (w.item && w.mine) { lastMine = w.item.seq; } });
    var asking = askingSeq(wanted);
    var keep = new Set();
    wanted.forEach(function (w, index) {
      var node = nodes.get(w.key);
      var clientKey = w.item && w.item.client_id ? "c" + w.item.client_id : null;
      if (!node && clientKey && nodes.has(clientKey)) {
        node = nodes.get(clientKey);  // the sent message became an item: same element
        nodes.delete(clientKey);
      }
      if (!node) { node = el("li"); }
      nodes.set(w.key, node);
      keep.add(node);
      fill(node, w, lastMine, asking);
      if (list.children[index] !== node) { list.insertBefore(node, list.children[index] || null); }
    });
    nodes.forEach(function (node, key) {
      if (!keep.has(node)) { nodes.delete(key); node.remove(); }
    });
    $("welcome").hidden = wanted.length > 0;
    if (toBottom || nearBottom) { box.scrollTop = box.scrollHeight; }
  }
  /* The seq of the assistant's reply that asked "did this solve it?", while it is the newest
     thing in an open conversation (nothing sent or being sent after it); else 0. */
  function askingSeq(wanted) {
    var newest = wanted.length ? wanted[wanted.length - 1] : null;
    var item = newest && newest.item;
    var asks = item && item.author && item.author.kind === "assistant" && item.assistant &&
      item.assistant.asks_feedback;
    return asks && state.status !== "closed" ? item.seq : 0;
  }
  function fill(node, w, lastMine, asking) {
    var m = w.item || w.local;
    var files = w.item ? (m.attachments || []) : m.files.map(function (f) {
      return { id: null, filename: f.name, content_type: f.type, size: f.size };
    });
    var fromAssistant = !!(w.item && m.author && m.author.kind === "assistant");
    var asks = !!(w.item && asking && m.seq === asking);
    var signature = JSON.stringify([m.body, files.map(function (a) { return [a.id, a.filename]; }),
      w.mine, m.author && m.author.name, fromAssistant, asks]);
    node.className = "msg" + (w.mine ? " mine" : "") + (w.local && w.local.error ? " failed" :
      w.local ? " pending" : "");
    if (node.dataset.signature !== signature) {
      node.dataset.signature = signature;
      node.textContent = "";
      node.appendChild(w.mine ? el("span", "sr-only", t("you") + ": ") : el("p", "who", author(m)));
      var bubble = el("div", "bubble");
      if (fromAssistant) { linked(bubble, m.body); } else { bubble.textContent = m.body; }
      if (files.length) { bubble.appendChild(fileList(files)); }
      node.appendChild(bubble);
      if (asks) { node.appendChild(feedbackButtons(m)); }
      node.appendChild(el("p", "meta"));
    }
    var meta = node.querySelector(".meta");
    var text = metaText(w, lastMine);
    if (meta.textContent !== text) { meta.textContent = text; }
  }
  /* The assistant's words with its links made clickable: http(s) addresses and the help
     center's own /help/ pages. Built as text nodes and <a> elements, never parsed as HTML;
     anything else that looks like a link stays text. */
  var LINK = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]+|\/help\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]*/g;
  var TRAILING = /[.,;:!?)\]}'"]+$/;
  function safeHref(raw) {
    var url;
    try { url = new URL(raw, window.location.origin); } catch (e) { return null; }
    if (raw.charAt(0) === "/") {
      var own = url.origin === window.location.origin && url.pathname.indexOf("/help/") === 0;
      return own ? url.href : null;
    }
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  }
  function linked(box, text) {
    var at = 0;
    text.replace(LINK, function (found, index) {
      var before = index ? text.charAt(index - 1) : "";
      if (found.charAt(0) === "/" && before && !/[\s(\uff08:\uff1a]/.test(before)) { return found; }
      var tail = (found.match(TRAILING) || [""])[0];
      var raw = found.slice(0, found.length - tail.length);
      var href = safeHref(raw);
      if (!href) { return found; }
      box.appendChild(document.createTextNode(text.slice(at, index)));
      var link = el("a", "", raw);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      box.appendChild(link);
      at = index + raw.length;
      return found;
    });
    box.appendChild(document.createTextNode(text.slice(at)));
  }
  /* "Yes, that solved it" / "No, I still need help" in the reply's language and script: a
     click sends that exact text as the customer's message. */
  function feedbackButtons(item) {
    var table = S.feedback_buttons || {};
    var texts = table[item.assistant.language] || table.en || [];
    var group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("feedback_question"));
    texts.forEach(function (text) {
      var button = el("button", "quick-reply", text);
      button.type = "button";
      button.addEventListener("click", function () {
        var send = window.LedgerdeskFrame.ctl.sendText;
        if (send) { send(text); }
      });
      group.appendChild(button);
    });
    return group;
  }
  function author(m) {
    if (m.author && m.author.kind === "system") { return t("system"); }
    if (m.author && m.author.kind === "assistant") { return t("assistant"); }
    return (m.author && m.author.name) || t("agent");
  }
  function metaText(w, lastMine) {
    if (w.local) {
      if (w.local.error) { return t("failed", { reason: w.local.error }); }
      var late = w.local.tries || (state.downSince && Date.now() - state.downSince > 4000);
      return late ? t("retrying") : t("sending");
    }
    var item = w.item;
    var time = when(item.created_at, false);
    if (!w.mine || item.seq !== lastMine) { return time; }
    var status = state.marks.agent_read >= item.seq ? t("read")
      : state.marks.agent_delivered >= item.seq ? t("delivered") : t("sent");
    return time ? time + " · " + status : status;
  }
  function fileList(files) {
    var list = el("ul", "files");
    files.forEach(function (a) {
      var row = el("li");
      var label = a.filename + " (" + fileSize(a.size) + ")";
      if (a.id === null || a.id === undefined) {
        row.appendChild(el("span", "", label));
      } else {
        var link = el("a", "", label);
        link.href = "#";
        link.setAttribute("aria-label", t("download", { name: a.filename }));
        link.addEventListener("click", function (event) { download(event, link, a); });
        row.appendChild(link);
        if (RASTER.test(a.content_type || "") && a.size <= 5 * 1024 * 1024) {
          var picture = el("img");
          picture.alt = a.filename;
          row.appendChild(picture);
          attachment(a).then(function (blob) {
            picture.src = URL.createObjectURL(new Blob([blob], { type: a.content_type }));
          }, function () { picture.replaceWith(el("span", "form-error", t("error_attachment"))); });
        }
        if (a.size <= 2 * 1024 * 1024) { prepareLink(link, a); }
      }
      list.appendChild(row);
    });
    return list;
  }
  /* Attachments need the visitor's header, so they are fetched and offered as blob: links;
     as octet-stream, so a file is always saved, never opened as a page of this origin. */
  function attachment(a) {
    if (!blobs.has(a.id)) {
      var pending = api.blob("/chat/api/attachments/" + encodeURIComponent(a.id));
      pending.catch(function () { blobs.delete(a.id); });
      blobs.set(a.id, pending);
    }
    return blobs.get(a.id);
  }
  function prepareLink(link, a) {
    return attachment(a).then(function (blob) {
      if (!link.dataset.ready) {
        link.href = URL.createObjectURL(new Blob([blob], { type: "application/octet-stream" }));
        link.download = a.filename;
        link.dataset.ready = "1";
      }
      return link;
    });
  }
  function download(event, link, a) {
    if (link.dataset.ready) { return; }
    event.preventDefault();
    prepareLink(link, a).then(function () { link.click(); }, function () {
      notice(t("error_attachment"), true);
    });
  }


  /* ---- small helpers ------------------------------------------------------------------- */
  function when(iso, withDay) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    var options = { hour: "2-digit", minute: "2-digit" };
    if (withDay || date.toDateString() !== new Date().toDateString()) {
      options.month = "short";
      options.day = "numeric";
      if (withDay) { options.weekday = "short"; }
    }
    return date.toLocaleString(C.lang, options);
  }
  function fileSize(bytes) {
    if (bytes < 1024) { return t("size_b", { n: bytes }); }
    if (bytes < 1024 * 1024) { return t("size_kb", { n: Math.round(bytes / 1024) }); }
    return t("size_mb", { n: (bytes / 1024 / 1024).toFixed(1) });
  }
  function errorText(error) {
    var key = "error_" + (error.code === "ticket_closed" || error.code === "invalid_transition" ? "closed" : error.code);
    return typeof S[key] === "string" ? S[key] : error.message || S.error_generic;
  }
  function formError(id, text, focusId) {
    var box = $(id);
    box.textContent = text;
    box.hidden = !text;
    if (text && focusId) { $(focusId).focus(); }
  }
  function notice(text, isError) {
    var box = $("notice");
    box.textContent = text;
    box.className = "notice" + (isError ? " error" : "");
    box.hidden = !text;
  }
  var FIRST_FIELD = {
    identify: "identify-email", offline: "offline-email", conversation: "composer-input",
    history: "history-title", verify: "verify-start"
  };
  function focusView() {
    var target = $(FIRST_FIELD[state.view] || "");
    if (target && target.offsetParent !== null) { target.focus(); }
  }
  function show(name, focusId) {
    ["loading", "identify", "offline", "conversation", "history", "verify"].forEach(function (v) {
      $("view-" + v).hidden = v !== name;
    });
    state.view = name;
    $("chat").dataset.state = name;
    if (focusId && state.open) { $(focusId).focus(); }
  }

  function validEmail(value) { return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 320; }
  function agentReplied() {
    var found = false;
    state.items.forEach(function (item) { if (item.author && item.author.kind === "agent") { found = true; } });
    return found;
  }

  window.LedgerdeskFrame = {
    C: C, S: S, api: api, store: store, embedded: embedded, state: state, $: $, t: t, el: el,
    when: when, fileSize: fileSize, errorText: errorText, formError: formError, notice: notice,
    show: show, focusView: focusView, validEmail: validEmail, render: render,
    clearMessages: clearMessages, agentReplied: agentReplied, ctl: {}
  };
})();
