/* The chat frame's delivery layer (docs/chat-protocol.md): the HTTP API with the visitor's
   header, the websocket with reconnect and a heartbeat, and the outbox that keeps every
   message until the server acknowledged it, across reloads. No text a person reads is here:
   frame.js shows everything. */
(function () {
  "use strict";

  function ApiError(status, code, message, retryAfter) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.retryAfter = retryAfter;
  }

  /* ---- storage ----------------------------------------------------------------------
     The frame's own localStorage when the browser lets a frame on another site keep one.
     Browsers that block third-party storage (private windows, Safari) deny it: values then
     live in memory and go to ``store.mirror`` (frame.js hands them to the widget loader,
     which keeps them in the exchange page's storage and gives them back on the next load). */
  var PREFIX = "ledgerdesk-chat:";
  var memory = {};
  var local = (function () {
    try {
      window.localStorage.setItem(PREFIX + "probe", "1");
      window.localStorage.removeItem(PREFIX + "probe");
      return window.localStorage;
    } catch (e) {
      return null;
    }
  })();
  var store = {
    persistent: !!local,
    mirror: null,
    seed: function (values) {
      if (local || !values || typeof values !== "object") { return; }
      Object.keys(values).forEach(function (key) { memory[key] = values[key]; });
    },
    get: function (key, fallback) {
      if (local) {
        try {
          var raw = local.getItem(PREFIX + key);
          return raw === null ? fallback : JSON.parse(raw);
        } catch (e) { /* unreadable: as if absent */ }
        return fallback;
      }
      return key in memory ? memory[key] : fallback;
    },
    set: function (key, value) {
      var absent = value === null || value === undefined;
      if (local) {
        try {
          if (absent) { local.removeItem(PREFIX + key); } else { local.setItem(PREFIX + key, JSON.stringify(value)); }
          return;
        } catch (e) { /* storage full: keep it in memory */ }
      }
      if (absent) { delete memory[key]; } else { memory[key] = value; }
      if (store.mirror) { store.mirror(key, absent ? null : value); }
    }
  };

  /* ---- client ids: 8..64 of [A-Za-z0-9_-] -------------------------------------------- */
  function clientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* ---- HTTP API ----------------------------------------------------------------------- */
  function Api(lang) {
    this.lang = lang;
    this.token = null;
  }
  Api.prototype.headers = function () {
    var headers = { "Accept": "application/json", "Accept-Language": this.lang };
    if (this.token) { headers.Authorization = "Chat " + this.token; }
    return headers;
  };
  Api.prototype.request = function (method, path, body) {
    var init = { method: method, headers: this.headers(), credentials: "omit", cache: "no-store" };
    if (typeof FormData !== "undefined" && body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (response.ok) { return data; }
        var error = (data && data.error) || {};
        var retry = Number(response.headers.get("Retry-After"));
        throw new ApiError(response.status, error.code || "error", error.message || "",
          retry > 0 ? retry : null);
      });
    }, function () {
      throw new ApiError(0, "network", "", null);
    });
  };
  Api.prototype.blob = function (path) {
    var init = { headers: this.headers(), credentials: "omit" };
    return fetch(path, init).then(function (response) {
      if (!response.ok) { throw new ApiError(response.status, "error", "", null); }
      return response.blob();
    }, function () {
      throw new ApiError(0, "network", "", null);
    });
  };

  /* ---- websocket with reconnect ------------------------------------------------------- */
  var MAX_DELAY = 15000;

  function Socket(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.ready = false;        // welcomed by the server
    this.attempt = 0;
    this.stopped = true;
    this.timer = null;
    this.beat = null;
    this.lastSeen = 0;
    this.minDelay = 0;
  }
  Socket.prototype.start = function () {
    this.stopped = false;
    if (!this.ws && !this.timer) { this.connect(); }
  };
  Socket.prototype.stop = function () {
    this.stopped = true;
    this.drop();
    clearTimeout(this.timer);
    this.timer = null;
  };
  Socket.prototype.restart = function () {
    this.stop();
    this.attempt = 0;
    this.start();
  };
  /* Connect now if waiting to (the network is back, the page became visible). */
  Socket.prototype.kick = function () {
    if (this.stopped || this.ws) { return; }
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  };
  Socket.prototype.connect = function () {
    var self = this;
    var ws;
    this.timer = null;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.schedule();
      return;
    }
    this.ws = ws;
    this.lastSeen = Date.now();
    ws.onopen = function () {
      self.lastSeen = Date.now();
      self.handlers.open();
    };
    ws.onmessage = function (event) {
      var frame;
      self.lastSeen = Date.now();
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === "string") { self.handlers.frame(frame); }
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) { return; }
      self.drop();
      if (self.handlers.closed(event.code) === false) {
        self.stopped = true;
        return;
      }
      if (event.code === 4429) { self.minDelay = 10000; }
      self.schedule();
    };
    ws.onerror = function () { /* onclose follows */ };
  };
  /* Forget the current socket (its late events are ignored) and close it. */
  Socket.prototype.drop = function () {
    var ws = this.ws;
    var wasReady = this.ready;
    this.ws = null;
    this.ready = false;
    clearInterval(this.beat);
    this.beat = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(); } catch (e) { /* already closed */ }
    }
    if (wasReady) { this.handlers.down(); }
  };
  Socket.prototype.schedule = function () {
    var self = this;
    if (this.stopped || this.timer) { return; }
    var delay = Math.min(MAX_DELAY, 500 * Math.pow(2, this.attempt));
    delay = Math.max(this.minDelay, delay * (0.5 + Math.random() * 0.5));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.minDelay = 0;
    this.timer = setTimeout(function () { self.connect(); }, delay);
  };
  /* The server said welcome: count attempts from zero again, and ping every ``seconds``;
     a socket that has been silent for two heartbeats is dead even if the browser has not
     noticed yet, so it is dropped and a new one made. */
  Socket.prototype.welcomed = function (seconds) {
    var self = this;
    var every = Math.max(5, Number(seconds) || 25) * 1000;
    this.ready = true;
    this.attempt = 0;
    clearInterval(this.beat);
    this.beat = setInterval(function () {
      if (Date.now() - self.lastSeen > 2 * every + 5000) {
        self.drop();
        self.schedule();
        return;
      }
      self.send({ type: "ping" });
    }, every);
  };
  Socket.prototype.send = function (frame) {
    if (!this.ws || this.ws.readyState !== 1) { return false; }
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  };

  /* ---- outbox: messages not yet acknowledged ------------------------------------------ */
  /* Entries: {client_id, conversation (null: opens a new one), body, created_at, files
     (memory only: File objects cannot be kept in localStorage), sent_at, next_try}. */
  function Outbox(key) {
    this.key = key;
    this.entries = (store.get(key, []) || []).filter(function (e) {
      return e && typeof e.client_id === "string" && typeof e.body === "string";
    });
    this.entries.forEach(function (e) {
      e.sent_at = 0;
      e.next_try = 0;
      e.files = [];
      e.inflight = false;
    });
  }
  Outbox.prototype.save = function () {
    store.set(this.key, this.entries.filter(function (e) { return !e.files.length; })
      .map(function (e) {
        return { client_id: e.client_id, conversation: e.conversation, body: e.body,
          created_at: e.created_at };
      }));
  };
  Outbox.prototype.add = function (conversation, body, files) {
    var entry = { client_id: clientId(), conversation: conversation, body: body,
      created_at: new Date().toISOString(), files: files || [], sent_at: 0, next_try: 0,
      inflight: false };
    this.entries.push(entry);
    this.save();
    return entry;
  };
  Outbox.prototype.find = function (id) {
    for (var i = 0; i < this.entries.length; i++) {
      if (this.entries[i].client_id === id) { return this.entries[i]; }
    }
    return null;
  };
  Outbox.prototype.remove = function (id) {
    var before = this.entries.length;
    this.entries = this.entries.filter(function (e) { return e.client_id !== id; });
    if (this.entries.length !== before) { this.save(); }
  };
  /* The new conversation's id is known: every entry that was waiting for it goes there. */
  Outbox.prototype.opened = function (conversation) {
    this.entries.forEach(function (e) {
      if (e.conversation === null) { e.conversation = conversation; }
    });
    this.save();
  };
  /* What may go out now, in order. Text messages of a known conversation are pipelined on
     the socket (it keeps their order); a message that opens a conversation, one with files
     (HTTP) and any message while the socket is down go one at a time, each only once all
     before it are acknowledged, so the conversation keeps the order they were written in. */
  Outbox.prototype.due = function (socketReady, now, resendAfter) {
    var out = [];
    for (var i = 0; i < this.entries.length; i++) {
      var e = this.entries[i];
      var alone = e.files.length > 0 || e.conversation === null || !socketReady;
      if (alone && i > 0) { break; }
      var waited = !e.sent_at || now - e.sent_at > resendAfter;
      if (!e.inflight && now >= e.next_try && waited) { out.push(e); }
      if (alone) { break; }
    }
    return out;
  };

  window.LedgerdeskConn = {
    Api: Api, ApiError: ApiError, Socket: Socket, Outbox: Outbox, store: store,
    clientId: clientId
  };
})();
