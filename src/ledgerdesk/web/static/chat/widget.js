/* ledgerdesk chat widget loader: the one script tag an exchange adds to its pages.

     <script src="https://desk.example/static/chat/widget.js" data-lang="zh-CN"
             data-color="#0b7" data-position="right" async></script>

   It adds a chat button and, once needed, an iframe of the desk's /chat/frame (the desk's
   origin is taken from this script's own address). The exchange's signed identity token
   (data-token, or LedgerdeskChat.identify(jwt)) goes to the frame by postMessage, never in a
   URL. Public API: window.LedgerdeskChat.identify(jwt) / open() / close() / reset(); a
   "ledgerdesk-chat:ready" event on window says it is there. No framework, no build step,
   nothing fetched from anywhere but the desk. */
(function () {
  "use strict";
  if (window.LedgerdeskChat && window.LedgerdeskChat.version) { return; }

  var NS = "ledgerdesk-chat";
  var script = document.currentScript || findScript();
  if (!script) { return; }
  var desk = new URL(script.src, window.location.href).origin;
  var data = script.dataset;
  var lang = pickLanguage(data.lang || document.documentElement.lang || navigator.language);
  var color = /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(data.color || "") ? data.color : "";
  var side = data.position === "left" ? "left" : "right";
  var token = jwtOrNull(data.token);
  // The button's own words (the frame brings every other text from the desk).
  var LABELS = {
    "en": { open: "Chat with support", close: "Close chat", unread: "unread messages" },
    "zh-CN": { open: "联系在线客服", close: "关闭聊天", unread: "条未读消息" }
  };
  var words = LABELS[lang];
  // What the frame keeps here when its browser denies it storage of its own (third-party
  // storage blocked): its visitor session and unsent messages, on this site only.
  var FRAME_STATE = NS + ":frame";
  var host, root, button, badge, frame, ready = false, isOpen = false, resetPending = false;

  function findScript() {
    var all = document.querySelectorAll("script[src*='/static/chat/widget.js']");
    return all.length ? all[all.length - 1] : null;
  }
  function pickLanguage(value) {
    return String(value || "").toLowerCase().indexOf("zh") === 0 ? "zh-CN" : "en";
  }
  function jwtOrNull(value) {
    return typeof value === "string" && value.length < 8192 &&
      /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value) ? value : null;
  }
  function remember(storage, key, value) {
    try {
      if (value) { window[storage].setItem(NS + ":" + key, "1"); } else { window[storage].removeItem(NS + ":" + key); }
    } catch (e) { /* storage blocked: the widget just starts closed */ }
  }
  function remembered(storage, key) {
    try { return window[storage].getItem(NS + ":" + key) === "1"; } catch (e) { return false; }
  }

  var CSS = [
    ":host { all: initial; }",
    ".launcher { position: fixed; bottom: 20px; SIDE: 20px; z-index: 2147483000; width: 56px;",
    "  height: 56px; border-radius: 50%; border: 0; cursor: pointer; display: flex;",
    "  align-items: center; justify-content: center; background: ACCENT; color: #fff;",
    "  box-shadow: 0 4px 14px rgba(16, 24, 40, .25); padding: 0; }",
    ".launcher:focus-visible { outline: 3px solid #101828; outline-offset: 3px; }",
    ".launcher svg { width: 28px; height: 28px; }",
    ".badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px;",
    "  border-radius: 10px; background: #d92d20; color: #fff; font: 600 12px/20px system-ui,",
    "  sans-serif; text-align: center; padding: 0 5px; box-sizing: border-box; }",
    ".panel { position: fixed; bottom: 88px; SIDE: 20px; z-index: 2147483000; width: 380px;",
    "  height: 600px; max-height: calc(100vh - 108px); max-width: calc(100vw - 40px);",
    "  border: 0; border-radius: 12px; background: #fff;",
    "  box-shadow: 0 12px 40px rgba(16, 24, 40, .28); color-scheme: light; }",
    "[hidden] { display: none !important; }",
    "@media (max-width: 480px), (max-height: 560px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none;",
    "    border-radius: 0; }",
    "  :host(.open) .launcher { display: none; }",
    "}"
  ].join("\n").replace(/SIDE/g, side).replace("ACCENT", color || "#1f6feb");

  function build() {
    host = document.createElement("div");
    host.id = NS;
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    addStyles(root);
    button = document.createElement("button");
    button.type = "button";
    button.className = "launcher";
    button.setAttribute("aria-label", words.open);
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", NS + "-frame");
    button.appendChild(icon());
    badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    button.appendChild(badge);
    button.addEventListener("click", function () { if (isOpen) { close(); } else { open(); } });
    root.appendChild(button);
    document.body.appendChild(host);
    window.addEventListener("message", fromFrame);
    // A conversation under way: load the frame now, so replies count as unread and unsent
    // messages go out; reopen it when it was open before this page loaded.
    if (remembered("localStorage", "active") || remembered("sessionStorage", "open")) { ensureFrame(); }
    if (remembered("sessionStorage", "open")) { open(); }
  }
  function addStyles(target) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      target.adoptedStyleSheets = [sheet];  // not an inline style: pages with a strict CSP too
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = CSS;
      target.appendChild(style);
    }
  }
  function icon() {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 5h16v11H8l-4 4V5z");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }
  function ensureFrame() {
    if (frame) { return; }
    var query = "lang=" + encodeURIComponent(lang) + "&origin=" +
      encodeURIComponent(window.location.origin) + (color ? "&color=" + encodeURIComponent(color) : "");
    frame = document.createElement("iframe");
    frame.id = NS + "-frame";
    frame.className = "panel";
    frame.title = words.open;
    frame.hidden = true;
    frame.setAttribute("referrerpolicy", "origin");
    frame.src = desk + "/chat/frame?" + query;
    root.appendChild(frame);
  }
  function post(message) {
    if (!frame || !ready || !frame.contentWindow) { return; }
    message.source = NS;
    frame.contentWindow.postMessage(message, desk);
  }
  function fromFrame(event) {
    var m = event.data;
    if (!frame || event.origin !== desk || event.source !== frame.contentWindow) { return; }
    if (!m || m.source !== NS) { return; }
    if (m.type === "ready") {
      ready = true;
      if (resetPending) {
        resetPending = false;
        post({ type: "reset" });  // the frame forgets, reloads and says ready again
        return;
      }
      post({ type: "hello", token: token, open: isOpen, stored: frameState() });
    } else if (m.type === "store" && typeof m.key === "string" && /^[a-z_]{1,40}$/.test(m.key)) {
      keep(m.key, m.value);
    } else if (m.type === "close") {
      close();
    } else if (m.type === "unread") {
      showUnread(isOpen ? 0 : Number(m.count) || 0);
    } else if (m.type === "active") {
      remember("localStorage", "active", !!m.value);
    }
  }
  function frameState() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(FRAME_STATE) || "{}");
      return kept && typeof kept === "object" ? kept : {};
    } catch (e) {
      return {};
    }
  }
  function keep(key, value) {
    var kept = frameState();
    if (value === null || value === undefined) { delete kept[key]; } else { kept[key] = value; }
    try {
      var text = JSON.stringify(kept);
      if (text.length < 512 * 1024) { window.localStorage.setItem(FRAME_STATE, text); }
    } catch (e) { /* storage blocked here too: the chat lasts as long as the page */ }
  }
  function showUnread(count) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count <= 0;
    button.setAttribute("aria-label", count > 0 ? words.open + " (" + count + " " + words.unread + ")" : words.open);
  }
  function open() {
    ensureFrame();
    isOpen = true;
    frame.hidden = false;
    host.classList.add("open");
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", words.close);
    remember("sessionStorage", "open", true);
    frame.focus();
    post({ type: "visibility", open: true });
  }
  function close() {
    if (!frame) { return; }
    var wasFocused = document.activeElement === host;
    isOpen = false;
    frame.hidden = true;
    host.classList.remove("open");
    button.setAttribute("aria-expanded", "false");
    showUnread(0);
    remember("sessionStorage", "open", false);
    post({ type: "visibility", open: false });
    if (wasFocused || document.activeElement === document.body) { button.focus(); }
  }

  window.LedgerdeskChat = {
    version: 1,
    /* The exchange's signed token for the customer who is signed in (null: nobody). */
    identify: function (jwt) {
      var next = jwtOrNull(jwt);
      if (jwt && !next) { window.console.warn("LedgerdeskChat.identify: not a JWT"); return; }
      token = next;
      post({ type: "identify", token: token });
    },
    open: function () { if (host) { open(); } },
    close: function () { if (host) { close(); } },
    /* The customer signed out of the exchange: the chat forgets who they were. */
    reset: function () {
      token = null;
      remember("localStorage", "active", false);
      try { window.localStorage.removeItem(FRAME_STATE); } catch (e) { /* nothing kept */ }
      if (ready) { post({ type: "reset" }); } else { resetPending = true; }
    }
  };

  function init() {
    build();
    window.dispatchEvent(new CustomEvent("ledgerdesk-chat:ready"));
  }
  if (document.body) { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
