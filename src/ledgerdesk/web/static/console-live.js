// The live console (issue 13; protocol in docs/chat-protocol.md). On a ticket page: new
// messages appear as they are committed, a bar shows who else is here and typing, and on a
// chat ticket the reply box sends over the websocket with a client id, resending until the
// server acknowledges. On the chat queue: the rows refresh when the desk changes. Without a
// socket the pages work as before (the form posts; the queue polls every 10 s).
// Text from people is only ever set with textContent.
(function () {
  "use strict";
  var conv = document.getElementById("conversation");
  var queueBox = document.getElementById("chat-queue");
  var stringsEl = document.getElementById("live-strings");
  if (!stringsEl || !((conv && conv.dataset.ticket) || queueBox)) return;
  var S = {};
  try { S = JSON.parse(stringsEl.textContent) || {}; } catch (e) { S = {}; }

  // --- small helpers ----------------------------------------------------------------------
  function t(key, values) {
    return String(S[key] || "").replace(/%\((\w+)\)s/g, function (_, name) {
      return values && values[name] !== undefined ? String(values[name]) : "";
    });
  }
  // Bidi embeddings and overrides become visible markers, as on server-rendered pages.
  function shown(value) {
    return String(value == null ? "" : value).replace(/[\u200e\u200f\u061c]/g, "")
      .replace(/[\u202a-\u202e\u2066-\u2069]/g, function (c) {
        return "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]";
      });
  }
  function el(tag, cls, textValue) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (textValue !== undefined) node.textContent = shown(textValue);
    return node;
  }
  function txt(value) { return document.createTextNode(value); }
  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return "c-" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // --- waiting time counters ([data-since], ticking every second) --------------------------
  var skew = 0; // server clock minus ours, from the rendered rows' data-now
  function readSkew() {
    var holder = document.querySelector("[data-now]");
    var now = holder ? Date.parse(holder.getAttribute("data-now")) : NaN;
    if (!isNaN(now)) skew = now - Date.now();
  }
  function waitText(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), h = Math.floor(seconds / 3600), d = Math.floor(seconds / 86400);
    if (seconds < 60) return t("wait_s", {s: seconds});
    if (seconds < 3600) return t("wait_ms", {m: m, s: seconds % 60});
    if (seconds < 86400) return t("wait_hm", {h: h, m: m % 60});
    return t("wait_dh", {d: d, h: h % 24});
  }
  function tickWaits() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-since]").forEach(function (node) {
      var since = Date.parse(node.getAttribute("data-since"));
      if (!isNaN(since)) node.textContent = waitText((now - since) / 1000);
    });
  }

  // --- the socket: hello, heartbeat, reconnect with backoff ---------------------------------
  // States: connecting, live, reconnecting (a short drop), down (several failed tries: the
  // pages fall back), signed_out (4401: no more tries).
  function connect(handlers) {
    var ws = null, attempt = 0, beat = null, timer = null, state = "", stopped = false, heard = 0;
    function setState(next) {
      if (next !== state) { state = next; handlers.onState(next); }
    }
    function raw(frame) {
      if (!ws || ws.readyState !== 1) return false;
      ws.send(JSON.stringify(frame));
      return true;
    }
    function drop(socket) { // forget a socket without waiting for its close handshake
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try { socket.close(); } catch (e) { /* already closed */ }
    }
    function later(minimum) {
      if (stopped || timer) return;
      attempt += 1;
      var delay = Math.min(15000, 500 * Math.pow(2, attempt - 1));
      delay = Math.max(minimum || 0, delay / 2 + Math.random() * delay / 2);
      setState(attempt > 3 ? "down" : "reconnecting");
      timer = setTimeout(open, delay);
    }
    function lost(code) {
      clearInterval(beat); beat = null; ws = null;
      if (code === 4401 || code === 4403) { stopped = true; setState(code === 4401 ? "signed_out" : "down"); return; }
      later(code === 4429 ? 10000 : 0);
    }
    function heartbeat(seconds) {
      var every = Math.max(5, Number(seconds) || 25) * 1000;
      clearInterval(beat);
      beat = setInterval(function () {
        if (Date.now() - heard > every * 2 + 5000 && ws) { var dead = ws; drop(dead); lost(1006); return; }
        raw({type: "ping"});
      }, every);
    }
    function open() {
      timer = null;
      if (stopped) return;
      if (!state) setState("connecting");
      var socket;
      try {
        socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/chat/ws");
      } catch (e) { later(); return; }
      ws = socket;
      socket.onopen = function () { heard = Date.now(); raw({type: "hello", token: null, lang: document.documentElement.lang || "en"}); };
      socket.onmessage = function (event) {
        var frame;
        heard = Date.now();
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (!frame || typeof frame !== "object") return;
        if (frame.type === "welcome") {
          attempt = 0; heartbeat(frame.heartbeat); setState("live"); handlers.onWelcome(frame);
        } else if (frame.type !== "pong") {
          handlers.onFrame(frame);
        }
      };
      socket.onclose = function (event) { if (ws === socket) lost(event.code); };
      socket.onerror = function () { /* a close event follows */ };
    }
    function reviveNow() { if (timer && !stopped) { clearTimeout(timer); open(); } }
    window.addEventListener("online", reviveNow);
    window.addEventListener("pagehide", function () { stopped = true; if (ws) drop(ws); ws = null; });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { clearTimeout(timer); timer = null; stopped = false; attempt = 0; state = ""; open(); }
    });
    open();
    return {
      send: function (frame) { return state === "live" && raw(frame); },
      state: function () { return state; },
    };
  }

  // --- the chat queue ---------------------------------------------------------------------
  function queuePage() {
    var stateEl = document.getElementById("live-state");
    var forced = false, soon = null, known = rowIds();
    function rowIds() {
      var ids = {};
      queueBox.querySelectorAll("tr[data-ticket]").forEach(function (row) { ids[row.dataset.ticket] = true; });
      return ids;
    }
    function refresh() {
      soon = null;
      if (!window.htmx) return;
      forced = true;
      window.htmx.ajax("GET", "/console/chat/rows", {source: queueBox, target: queueBox, swap: "innerHTML"});
      if (document.getElementById("views")) {
        window.htmx.ajax("GET", "/console/counts?view=chat", {target: "#views", swap: "outerHTML"});
      }
    }
    function refreshSoon() { if (!soon) soon = setTimeout(refresh, 250); }
    var live = connect({
      onWelcome: function () { live.send({type: "subscribe", desk: true}); refreshSoon(); },
      onFrame: function (frame) { if (frame.type === "queue") refreshSoon(); },
      onState: function (state) {
        stateEl.hidden = false;
        stateEl.dataset.state = state;
        stateEl.textContent = state === "live" ? t("live") : state === "connecting" ? t("connecting")
          : state === "reconnecting" ? t("reconnecting") : state === "signed_out" ? t("signed_out") : t("down_queue");
      },
    });
    // The rows poll every 10 s (hx-trigger) only while the socket is not live.
    queueBox.addEventListener("htmx:beforeRequest", function (event) {
      if (event.target !== queueBox) return;
      if (forced) { forced = false; return; }
      if (live.state() === "live") event.preventDefault();
    });
    queueBox.addEventListener("htmx:afterSwap", function () {
      var now = rowIds();
      queueBox.querySelectorAll("tr[data-ticket]").forEach(function (row) {
        if (!known[row.dataset.ticket]) row.classList.add("arrived");
      });
      known = now; readSkew(); tickWaits();
    });
  }

  // --- the ticket page --------------------------------------------------------------------
  function ticketPage() {
    var ticketId = Number(conv.dataset.ticket);
    var isChat = conv.dataset.channel === "chat";
    var me = String(conv.dataset.me || ""), meName = conv.dataset.meName || "";
    var maxChars = Number(conv.dataset.maxChars) || 4000;
    var form = document.getElementById("reply-form"), box = document.getElementById("reply-body");
    var bar = document.getElementById("presence"), stateEl = document.getElementById("live-state");
    var viewersEl = document.getElementById("presence-viewers"), customerEl = document.getElementById("presence-customer");
    var collisionEl = document.getElementById("collision");
    var RESEND_MS = 8000, TYPING_MS = 8000, REPLIED_MS = 60000;
    var pending = []; // {id, body, kind, sentAt, notBefore}, in the order they were written
    var mine = {}; // client ids sent from this page
    var marks = {customer_delivered: 0, customer_read: 0};
    var viewers = [], typingAgents = {}, customerTypingUntil = 0, lastReply = null;
    var sentReceived = 0, sentRead = 0, typingOn = false, typingSentAt = 0, typingStop = null;

    function articles() { return Array.prototype.slice.call(conv.querySelectorAll("article.msg")); }
    function seqOf(node) { var n = parseInt(node.dataset.seq, 10); return isNaN(n) ? null : n; }
    function maxSeq() {
      return articles().reduce(function (high, node) { var n = seqOf(node); return n !== null && n > high ? n : high; }, 0);
    }
    function bySeq(seq) { return articles().filter(function (node) { return seqOf(node) === seq; })[0] || null; }
    function byClientId(id) { return articles().filter(function (node) { return node.dataset.clientId === id; })[0] || null; }
    // Messages stay in seq order; ones still waiting for their seq stay last.
    function place(node, seq) {
      var before = articles().filter(function (other) {
        var n = seqOf(other);
        return other !== node && (n === null ? other.dataset.clientId : n > seq);
      })[0];
      conv.insertBefore(node, before || null);
    }
    function stamp(iso) {
      var d = new Date(iso);
      return isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
    function authorName(author) {
      if (author.name) return author.name;
      if (author.kind === "assistant") return t("assistant");
      return author.kind === "customer" ? conv.dataset.requester || "" : t("system");
    }
    // The assistant's links (its citations) open: http(s) addresses and this desk's /help/
    // pages, as <a> elements; the words around them stay text.
    var LINK = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]+|\/help\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]*/g;
    function safeHref(raw) {
      var url;
      try { url = new URL(raw, location.origin); } catch (e) { return null; }
      if (raw.charAt(0) === "/") return url.origin === location.origin && url.pathname.indexOf("/help/") === 0 ? url.href : null;
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    }
    function linkedBody(text) {
      var box = el("div", "body"), at = 0;
      text = shown(text);
      text.replace(LINK, function (found, index) {
        var before = index ? text.charAt(index - 1) : "";
        if (found.charAt(0) === "/" && before && !/[\s(\uff08:\uff1a]/.test(before)) return found;
        var raw = found.replace(/[.,;:!?)\]}'"]+$/, ""), href = safeHref(raw);
        if (!href) return found;
        box.appendChild(txt(text.slice(at, index)));
        var link = el("a", null, raw);
        link.href = href; link.target = "_blank"; link.rel = "noopener noreferrer";
        box.appendChild(link);
        at = index + raw.length;
        return found;
      });
      box.appendChild(txt(text.slice(at)));
      return box;
    }
    function article(item) {
      var author = item.author || {};
      var node = el("article", "card msg" + (item.kind === "note" ? " note" : "") +
        (author.kind === "agent" || author.kind === "system" || author.kind === "assistant" ? " from-agent" : ""));
      node.dataset.kind = item.kind || "public";
      node.dataset.author = author.kind || "agent";
      if (item.id) node.dataset.id = item.id;
      if (item.seq) node.dataset.seq = item.seq;
      if (item.client_id) node.dataset.clientId = item.client_id;
      var meta = el("div", "meta");
      meta.appendChild(el("strong", null, authorName(author)));
      meta.appendChild(txt(" · " + stamp(item.created_at || new Date().toISOString())));
      if (item.kind === "note") { meta.appendChild(txt(" · ")); meta.appendChild(el("strong", null, t("internal_note"))); }
      node.appendChild(meta);
      node.appendChild(author.kind === "assistant" ? linkedBody(item.body) : el("div", "body", item.body));
      (item.attachments || []).forEach(function (file) {
        var row = el("div", "small"), link = el("a", null, file.filename);
        link.href = "/api/v1/attachments/" + encodeURIComponent(file.id);
        row.appendChild(el("span", "muted", t("attachment") + ":"));
        row.appendChild(txt(" ")); row.appendChild(link); row.appendChild(txt(" "));
        row.appendChild(el("span", "muted", "(" + file.size + " B)"));
        node.appendChild(row);
      });
      return node;
    }

    // Delivery state of the agents' public messages: sending, sent (acknowledged), delivered
    // and read (the customer's marks); "queued" while the socket is away.
    function setStatus(node, stateName, reason) {
      if (!node || !isChat) return;
      var meta = node.querySelector(".meta"), badge = node.querySelector(".msg-status");
      if (!badge) { badge = el("span", "msg-status"); meta.appendChild(txt(" ")); meta.appendChild(badge); }
      badge.dataset.state = stateName;
      badge.textContent = stateName === "failed" ? t("not_sent", {reason: shown(reason)}) : t(stateName);
      node.classList.toggle("failed", stateName === "failed");
      node.classList.toggle("unsent", stateName === "sending" || stateName === "queued");
    }
    function settledStatus(node) {
      var seq = seqOf(node);
      if (seq === null || node.dataset.kind !== "public") return "sent";
      return seq <= marks.customer_read ? "read" : seq <= marks.customer_delivered ? "delivered" : "sent";
    }
    function applyMarks(next) {
      if (!next) return;
      marks.customer_delivered = Math.max(marks.customer_delivered, Number(next.customer_delivered) || 0);
      marks.customer_read = Math.max(marks.customer_read, Number(next.customer_read) || 0);
      sentRead = Math.max(sentRead, Number(next.agent_read) || 0);
      sentReceived = Math.max(sentReceived, Number(next.agent_delivered) || 0);
      articles().forEach(function (node) {
        if (node.dataset.author === "agent" && node.dataset.kind === "public" && seqOf(node) !== null) {
          setStatus(node, settledStatus(node));
        }
      });
    }
    function sendMarks() {
      if (!isChat) return;
      var seq = maxSeq();
      if (seq > sentReceived && live.send({type: "received", conversation: ticketId, seq: seq})) sentReceived = seq;
      if (document.visibilityState === "visible" && seq > sentRead &&
          live.send({type: "read", conversation: ticketId, seq: seq})) sentRead = seq;
    }

    function isMine(item) {
      return (item.client_id && mine[item.client_id]) || (item.author && item.author.kind === "agent" && item.author.name === meName);
    }
    function onItem(item) {
      if (Number(item.conversation) !== ticketId || !item.seq) return;
      var known = bySeq(Number(item.seq));
      if (known && !known.dataset.provisional) return; // already shown (a replay after a drop)
      var node = article(item), waiting = known || (item.client_id ? byClientId(item.client_id) : null);
      if (waiting) { conv.replaceChild(node, waiting); forget(item.client_id); place(node, Number(item.seq)); }
      else place(node, Number(item.seq));
      var author = item.author || {};
      if (author.kind === "agent" && (node.dataset.kind === "public" || waiting)) setStatus(node, settledStatus(node));
      if (author.kind === "customer") customerTypingUntil = 0;
      if (author.kind === "agent" && !isMine(item) && item.kind === "public") lastReply = {name: authorName(author), at: Date.now()};
      renderPresence();
      sendMarks();
    }
    function forget(id) { pending = pending.filter(function (p) { return p.id !== id; }); }
    function onAck(frame) {
      if (!mine[frame.client_id]) return;
      forget(frame.client_id);
      var node = bySeq(Number(frame.seq)) || byClientId(frame.client_id);
      if (!node) return;
      if (seqOf(node) === null) {
        node.dataset.seq = frame.seq;
        if (frame.message_id) node.dataset.id = frame.message_id;
        place(node, Number(frame.seq));
      }
      setStatus(node, settledStatus(node));
      pump();
    }
    function onError(frame) {
      var entry = pending.filter(function (p) { return p.id === frame.client_id; })[0];
      if (!entry) return;
      if (frame.code === "rate_limited") { // try again when the server says
        entry.notBefore = Date.now() + (Number(frame.retry_after) || 5) * 1000;
        entry.sentAt = 0;
        setStatus(byClientId(entry.id), "queued");
        return;
      }
      forget(entry.id);
      setStatus(byClientId(entry.id), "failed", frame.message || frame.code || "");
      if (box && !box.value) box.value = entry.body; // nothing typed is lost
    }
    // Send what is waiting, in order: a message held back (rate limit) holds the later ones,
    // so the conversation keeps the order they were written in.
    function pump() {
      var now = Date.now();
      for (var i = 0; i < pending.length; i++) {
        var entry = pending[i];
        if (now < entry.notBefore) break;
        if (entry.sentAt && now - entry.sentAt < RESEND_MS) continue;
        var frame = {type: "send", client_id: entry.id, conversation: ticketId, body: entry.body, kind: entry.kind};
        if (!live.send(frame)) { setStatus(byClientId(entry.id), "queued"); break; }
        entry.sentAt = now;
        setStatus(byClientId(entry.id), "sending");
      }
    }
    function queueSend(body, kind) {
      var id = newClientId();
      mine[id] = true;
      var node = article({client_id: id, kind: kind, body: body, author: {kind: "agent", name: meName}});
      node.dataset.provisional = "1"; // shown at once; the committed item replaces it
      conv.appendChild(node);
      pending.push({id: id, body: body, kind: kind, sentAt: 0, notBefore: 0});
      setStatus(node, "sending");
      lastReply = null;
      pump();
    }

    // Presence: other agents here (and typing), the customer typing, the collision warning.
    function typingNames() {
      var now = Date.now(), names = {}, list = [];
      viewers.forEach(function (v) { if (v.typing) names[v.id] = v.name; });
      Object.keys(typingAgents).forEach(function (id) { if (typingAgents[id].until > now) names[id] = typingAgents[id].name; });
      Object.keys(names).forEach(function (id) { list.push(names[id]); });
      return {byId: names, list: list};
    }
    function renderPresence() {
      var typing = typingNames();
      viewersEl.textContent = "";
      if (viewers.length) {
        viewersEl.appendChild(txt(t("also_viewing") + " "));
        viewers.forEach(function (v, i) {
          if (i) viewersEl.appendChild(txt(", "));
          viewersEl.appendChild(el("strong", null, v.name));
          if (typing.byId[v.id] !== undefined) viewersEl.appendChild(txt(" — " + t("typing")));
        });
      }
      customerEl.textContent = Date.now() < customerTypingUntil ? t("customer_typing") : "";
      var warning = "";
      if (typing.list.length) warning = t("collision_typing", {names: typing.list.join(", ")});
      else if (lastReply && Date.now() - lastReply.at < REPLIED_MS) warning = t("collision_replied", {name: lastReply.name});
      if (collisionEl.textContent !== shown(warning)) collisionEl.textContent = shown(warning);
      collisionEl.hidden = !warning;
    }
    function onPresence(frame) {
      var seen = {};
      viewers = (frame.viewers || []).filter(function (v) {
        var id = String(v.id);
        if (id === me || seen[id]) return false;
        seen[id] = true;
        return true;
      }).map(function (v) { return {id: String(v.id), name: v.name || "", typing: !!v.typing}; });
      renderPresence();
    }
    function onTyping(frame) {
      var who = frame.who || {};
      if (who.kind === "customer") customerTypingUntil = frame.state ? Date.now() + TYPING_MS : 0;
      else if (who.kind === "agent" && String(who.id) !== me) {
        if (frame.state) typingAgents[String(who.id)] = {name: who.name || "", until: Date.now() + TYPING_MS};
        else delete typingAgents[String(who.id)];
      }
      renderPresence();
    }
    function kindNow() {
      var checked = form ? form.querySelector('input[name="kind"]:checked') : null;
      return checked && checked.value === "note" ? "note" : "public";
    }
    // Typing is shown to the customer on a chat ticket, so writing a note is not "typing".
    function typed() {
      if (isChat && kindNow() === "note") { stopTyping(); return; }
      var now = Date.now();
      if ((!typingOn || now - typingSentAt > 4000) && live.send({type: "typing", conversation: ticketId, state: true})) {
        typingOn = true; typingSentAt = now;
      }
      clearTimeout(typingStop);
      typingStop = setTimeout(stopTyping, 3000);
    }
    function stopTyping() {
      clearTimeout(typingStop);
      if (typingOn) { typingOn = false; live.send({type: "typing", conversation: ticketId, state: false}); }
    }
    // The websocket carries a chat reply unless the form has to: files attached, a status
    // change, a body over the chat limit, or no socket (unless earlier messages still wait
    // for it: a later one must not overtake them).
    function onSubmit(event) {
      stopTyping();
      if (!isChat || (event.submitter && event.submitter.name === "next")) return; // "Send and next" posts the form
      var files = form.querySelector('input[type="file"]'), status = form.querySelector('select[name="status"]');
      var body = box.value;
      var socketOk = live.state() === "live" || pending.length > 0;
      if (!socketOk || (files && files.files.length) || (status && status.value) || !body.trim() || body.length > maxChars) return;
      event.preventDefault();
      queueSend(body, kindNow());
      box.value = "";
      box.focus();
    }

    // Another agent (or the customer's new message) changed the ticket's status.
    function showStatus(status) {
      var badge = document.getElementById("ticket-status"), labels = S.statuses || {};
      if (!badge || !labels[status]) return;
      badge.className = "badge st-" + status;
      badge.textContent = labels[status];
    }
    function showState(state) {
      bar.hidden = false;
      stateEl.dataset.state = state;
      stateEl.textContent = state === "live" ? t("live") : state === "connecting" ? t("connecting")
        : state === "reconnecting" ? t("reconnecting") : state === "signed_out" ? t("signed_out") : t("down_ticket");
      if (state !== "live") {
        viewers = []; typingAgents = {}; customerTypingUntil = 0; renderPresence();
        pending.forEach(function (p) { setStatus(byClientId(p.id), "queued"); });
      }
    }
    var live = connect({
      onWelcome: function () { live.send({type: "subscribe", conversation: ticketId, last_seq: maxSeq()}); },
      onFrame: function (frame) {
        if (frame.type === "message") onItem(frame);
        else if (frame.type === "ack") onAck(frame);
        else if (frame.type === "error") onError(frame);
        else if (Number(frame.conversation) !== ticketId) return;
        else if (frame.type === "subscribed") {
          applyMarks(frame.state && frame.state.marks);
          if (frame.state) showStatus(frame.state.status);
          pending.forEach(function (p) { p.sentAt = 0; });
          pump(); sendMarks();
        } else if (frame.type === "marks") applyMarks(frame.marks);
        else if (frame.type === "status") showStatus(frame.status);
        else if (frame.type === "typing") onTyping(frame);
        else if (frame.type === "presence") onPresence(frame);
      },
      onState: showState,
    });
    if (form && box) {
      form.addEventListener("submit", onSubmit);
      box.addEventListener("input", typed);
      box.addEventListener("blur", stopTyping);
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
      form.addEventListener("change", function (event) { if (event.target.name === "kind" && kindNow() === "note" && isChat) stopTyping(); });
    }
    document.addEventListener("visibilitychange", sendMarks);
    window.addEventListener("beforeunload", function (event) {
      if (pending.length) { event.preventDefault(); event.returnValue = ""; }
    });
    setInterval(function () { pump(); renderPresence(); }, 1000);
  }

  readSkew();
  tickWaits();
  setInterval(tickWaits, 1000);
  if (!("WebSocket" in window)) return;
  if (conv && conv.dataset.ticket) ticketPage();
  else if (queueBox) queuePage();
})();
