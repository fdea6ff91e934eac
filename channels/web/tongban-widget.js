/*!
 * Tongban web chat widget (通办在线咨询). Vanilla JS, no build step.
 *
 *   <script src="https://PORTAL/widget/tongban-widget.js" data-server="https://RASA" defer></script>
 *
 * Attributes of the script tag (all optional but data-server):
 *   data-server       Rasa's base URL (socket.io channel and REST fallback)
 *   data-title        header title                      (default 通办智能客服)
 *   data-greeting     first bot message, shown locally
 *   data-suggestions  "|"-separated example questions shown with the greeting
 *   data-persist      "session" (default: this tab, survives reloads) or "local" (survives closing the tab)
 *   data-fallback-ms  how long socket.io may take to connect before REST is used (default 4000)
 *   data-open         "true" to open the panel on load
 *   data-guess        "false" not to show 猜你要办 to a returning user on opening
 *   data-return-minutes  idle minutes after which an opening counts as a return (default 30)
 *
 * It talks to Rasa's socket.io channel (vendored client, socket.io.min.js beside this
 * file) with a session id kept in the browser, so a reload continues the conversation;
 * the transcript is kept beside it and drawn again. Without socket.io it POSTs to
 * /webhooks/rest/webhook with the same sender id.
 */
(function () {
  "use strict";
  if (window.TongbanWidget) return;

  var script = document.currentScript || document.querySelector("script[src*='tongban-widget']");
  var data = (script && script.dataset) || {};
  var config = {
    server: (data.server || location.origin).replace(/\/+$/, ""),
    title: data.title || "通办智能客服",
    greeting: data.greeting || "您好！我是通办智能客服，可以帮您查询政务服务事项怎么办理、需要什么材料、多久办结，也可以在线申请。请问有什么可以帮您？",
    suggestions: (data.suggestions || "营业执照丢了怎么补办|孩子刚出生怎么上户口|我的申请到哪一步了").split("|").filter(Boolean),
    persist: data.persist === "local" ? "local" : "session",
    fallbackMs: parseInt(data.fallbackMs || "4000", 10),
    open: data.open === "true",
    guess: data.guess !== "false",
    returnMs: parseInt(data.returnMinutes || "30", 10) * 60000,
    base: script && script.src ? script.src.replace(/[^/]*$/, "") : "",
  };
  var MAX_KEPT = 200;
  var MAX_INPUT = 1000;
  var store = config.persist === "local" ? window.localStorage : window.sessionStorage;
  var KEY = "tongban-widget:";

  // ---- privacy: the same numbers channels/privacy.py masks, masked before display and storage
  var MASKS = [
    [/(^|[^0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])/g],
    [/(^|[^0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6})([0-9A-HJ-NPQRTUWXY]{6})([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])/g],
    [/(^|\D)((?:\+?86)?1[3-9]\d)(\d{4})(\d{4})(?!\d)/g],
  ];
  function mask(text) {
    MASKS.forEach(function (m) {
      text = text.replace(m[0], function (_, pre, head, middle, tail) {
        return pre + head + middle.replace(/./g, "*") + tail;
      });
    });
    return text;
  }

  // ---- state kept in the browser
  function load(name, fallback) {
    try {
      var value = store.getItem(KEY + name);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      store.setItem(KEY + name, JSON.stringify(value));
    } catch (e) {
      /* storage full or disabled: the conversation just won't survive a reload */
    }
  }
  function newSessionId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var sessionId = load("session", null) || newSessionId();
  save("session", sessionId);
  var transcript = load("transcript", []);

  // ---- styles (inside a shadow root: the host page's CSS cannot reach in, ours cannot leak out)
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif}",
    ".launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;display:flex;align-items:center;gap:8px;padding:12px 20px;border:0;border-radius:28px;background:#c5161d;color:#fff;font-size:16px;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25)}",
    ".launcher:hover{background:#a80f15}",
    "button:focus-visible,a:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f5a623;outline-offset:2px}",
    ".panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;width:380px;height:min(640px,calc(100vh - 48px));display:flex;flex-direction:column;background:#f5f6f8;border-radius:12px;overflow:hidden;box-shadow:0 8px 32px rgba(0,0,0,.3);font-size:14px;color:#222}",
    "[hidden]{display:none!important}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#c5161d;color:#fff}",
    "header h2{flex:1;margin:0;font-size:16px;font-weight:600}",
    ".status{font-size:12px;opacity:.9;display:flex;align-items:center;gap:4px}",
    ".status::before{content:'';width:8px;height:8px;border-radius:50%;background:#ffd54f}",
    ".status[data-state=online]::before{background:#7CFC8A}",
    ".status[data-state=rest]::before{background:#90caf9}",
    ".status[data-state=offline]::before{background:#9e9e9e}",
    "header button{border:0;background:transparent;color:#fff;font-size:13px;cursor:pointer;padding:6px;border-radius:4px}",
    "header button.close{font-size:22px;line-height:1;padding:2px 8px}",
    "header button:hover{background:rgba(255,255,255,.15)}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".row{display:flex;flex-direction:column;align-items:flex-start;gap:6px;max-width:100%}",
    ".row.user{align-items:flex-end}",
    ".bubble{max-width:88%;padding:9px 12px;border-radius:10px;background:#fff;white-space:pre-wrap;word-break:break-word;line-height:1.55;box-shadow:0 1px 2px rgba(0,0,0,.08)}",
    ".row.user .bubble{background:#c5161d;color:#fff}",
    ".bubble a{color:#1565c0}",
    ".note{align-self:center;font-size:12px;color:#777;background:transparent;box-shadow:none}",
    ".choices{display:flex;flex-wrap:wrap;gap:6px;max-width:100%}",
    ".choices button{border:1px solid #c5161d;background:#fff;color:#c5161d;border-radius:16px;padding:6px 12px;font-size:13px;cursor:pointer;text-align:left}",
    ".choices button:hover:not(:disabled){background:#fdecea}",
    ".choices button:disabled{opacity:.5;cursor:default}",
    ".choices button[aria-pressed=true]{background:#c5161d;color:#fff;opacity:1}",
    ".cards{display:flex;flex-direction:column;gap:8px;width:88%}",
    ".card{background:#fff;border-radius:10px;border-left:4px solid #c5161d;padding:10px 12px;box-shadow:0 1px 3px rgba(0,0,0,.1)}",
    ".card h3{margin:0 0 6px;font-size:15px;color:#111}",
    ".card dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:2px 8px;font-size:13px}",
    ".card dt{color:#777;white-space:nowrap}.card dd{margin:0;word-break:break-all}",
    ".badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:#e8f5e9;color:#2e7d32}",
    ".badge.no{background:#eceff1;color:#546e7a}",
    ".card details{margin-top:6px;font-size:13px}.card summary{cursor:pointer;color:#c5161d}",
    ".card ol{margin:4px 0 0;padding-left:20px}",
    ".card .go{display:inline-block;margin-top:8px;padding:5px 12px;border-radius:14px;background:#c5161d;color:#fff;text-decoration:none;font-size:13px}",
    ".progress{width:88%;background:#fff;border-radius:10px;padding:8px 12px;font-size:13px;box-shadow:0 1px 2px rgba(0,0,0,.08)}",
    ".bar{height:8px;margin-top:6px;background:#eee;border-radius:4px;overflow:hidden}.bar span{display:block;height:100%;background:#2e7d32}",
    ".typing{display:flex;gap:4px;padding:12px}.typing i{width:7px;height:7px;border-radius:50%;background:#999;animation:tb 1.2s infinite}",
    ".typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s}",
    "@keyframes tb{0%,80%,100%{opacity:.3}40%{opacity:1}}",
    "form{display:flex;gap:8px;padding:10px;background:#fff;border-top:1px solid #e5e5e5}",
    "textarea{flex:1;resize:none;height:40px;max-height:120px;padding:9px 10px;border:1px solid #ccc;border-radius:8px;font-size:14px;line-height:1.4}",
    "form button{border:0;border-radius:8px;background:#c5161d;color:#fff;padding:0 16px;font-size:14px;cursor:pointer}",
    "form button:disabled{background:#e0a1a4}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:600px){.panel{inset:0;width:100%;height:100%;height:100dvh;border-radius:0}.launcher{right:16px;bottom:16px}.bubble{max-width:92%}.cards,.progress{width:92%}textarea{font-size:16px}}",
  ].join("\n");

  // ---- DOM
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k.indexOf("on") === 0) node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  var host = el("div", { id: "tongban-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", { text: CSS }));
  var launcher = el("button", { class: "launcher", type: "button", "aria-haspopup": "dialog", "aria-controls": "tb-panel", "aria-expanded": "false" }, [el("span", { "aria-hidden": "true", text: "💬" }), "在线咨询"]);
  var status = el("span", { class: "status", role: "status", "data-state": "connecting", text: "正在连接…" });
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "对话记录", tabindex: "0" });
  var typing = el("div", { class: "row pending", hidden: "" }, [
    el("div", { class: "bubble typing", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
    el("span", { class: "sr", text: "通办正在输入…" }),
  ]);
  var input = el("textarea", { id: "tb-input", rows: "1", maxlength: String(MAX_INPUT), placeholder: "请输入您要咨询的问题", "aria-label": "输入您的问题，按回车发送" });
  var sendButton = el("button", { type: "submit", text: "发送" });
  var form = el("form", { "aria-label": "发送消息" }, [el("label", { class: "sr", for: "tb-input", text: "输入您的问题" }), input, sendButton]);
  var panel = el("section", { id: "tb-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "tb-title", hidden: "" }, [
    el("header", {}, [
      el("h2", { id: "tb-title", text: config.title }),
      status,
      el("button", { type: "button", class: "restart", title: "清空记录，开始新对话", text: "新对话", onclick: restart }),
      el("button", { type: "button", class: "close", "aria-label": "关闭对话窗口", text: "×", onclick: close }),
    ]),
    log,
    form,
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // Long addresses (catalogue source links) shown as their host; the link keeps the full one.
  function shortUrl(url) {
    return url.length > 40 ? url.replace(/^(https?:\/\/[^/]+).*$/, "$1/…") : url;
  }

  // Text with its web addresses as links (built as nodes, never as HTML).
  function linked(text) {
    var frag = document.createDocumentFragment();
    var parts = String(text).split(/(https?:\/\/[^\s，。；）)]+)/);
    parts.forEach(function (part, i) {
      if (i % 2) frag.appendChild(el("a", { href: part, target: "_blank", rel: "noopener noreferrer", title: part, text: shortUrl(part) }));
      else if (part) frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
  }

  function itemCard(item) {
    var rows = [];
    function row(label, value) {
      if (value !== undefined && value !== null && value !== "") rows.push(el("dt", { text: label }), el("dd", {}, [value]));
    }
    row("办理部门", item.department ? item.department + (item.region ? "（" + item.region + "）" : "") : "");
    row("办理时限", item.time_limit || "");
    row("网上办理", el("span", { class: item.online ? "badge" : "badge no", text: item.online ? "可网上办理" : "需到现场办理" }));
    if (typeof item.visits === "number") row("跑动次数", item.visits + " 次");
    row("事项编码", item.code || "");
    var children = [el("h3", { text: item.name || "政务服务事项" }), el("dl", {}, rows)];
    var materials = Array.isArray(item.materials) ? item.materials : [];
    if (materials.length) {
      children.push(el("details", {}, [
        el("summary", { text: "申请材料（" + materials.length + "项）" }),
        el("ol", {}, materials.map(function (m) { return el("li", { text: String(m) }); })),
      ]));
    }
    var url = safeUrl(item.url);
    if (url) children.push(el("a", { class: "go", href: url, target: "_blank", rel: "noopener noreferrer", text: item.online ? "在线办理" : "查看办事指南" }));
    return el("article", { class: "card", "aria-label": "事项：" + (item.name || "") }, children);
  }

  // A theme service ("一链办"): what it merges and how much it saves, before → after.
  function themeCard(theme) {
    var rows = [];
    var labels = [["departments", "涉及部门", "个"], ["trips", "跑动次数", "次"], ["materials", "申请材料", "份"], ["fields", "填写字段", "项"]];
    if (theme.before && theme.after) {
      labels.forEach(function (l) {
        rows.push(el("dt", { text: l[1] }), el("dd", { text: theme.before[l[0]] + l[2] + " → " + theme.after[l[0]] + l[2] }));
      });
    }
    var children = [el("h3", { text: (theme.name || "主题服务") + "（一链办）" }), el("dl", {}, rows)];
    var covered = Array.isArray(theme.items) ? theme.items : [];
    if (covered.length) {
      children.push(el("details", {}, [
        el("summary", { text: "包含事项（" + covered.length + "项）" }),
        el("ol", {}, covered.map(function (m) { return el("li", { text: String(m) }); })),
      ]));
    }
    return el("article", { class: "card theme", "aria-label": "主题服务：" + (theme.name || "") }, children);
  }

  function progress(form) {
    var total = Math.max(1, Number(form.total) || 1);
    var answered = Math.min(total, Math.max(0, Number(form.answered) || 0));
    var label = (form.title ? "【" + form.title + "】" : "申请") + "已填写 " + answered + "/" + total;
    return el("div", { class: "progress" }, [
      el("div", { text: label }),
      el("div", { class: "bar", role: "progressbar", "aria-label": label, "aria-valuemin": "0", "aria-valuemax": String(total), "aria-valuenow": String(answered) }, [
        el("span", { style: "width:" + Math.round((100 * answered) / total) + "%" }),
      ]),
    ]);
  }

  function choices(buttons, entry) {
    var group = el("div", { class: "choices", role: "group", "aria-label": "可选项" });
    buttons.forEach(function (b, i) {
      if (!b || typeof b.title !== "string") return;
      var chosen = entry.chosen === i;
      group.appendChild(el("button", {
        type: "button",
        text: b.title,
        disabled: entry.chosen !== undefined ? "" : null,
        "aria-pressed": chosen ? "true" : null,
        onclick: function () {
          entry.chosen = i;
          save("transcript", transcript);
          Array.prototype.forEach.call(group.children, function (c) { c.disabled = true; });
          this.setAttribute("aria-pressed", "true");
          send(b.payload || b.title, b.title.replace(/^\d+\.\s*/, ""));
          input.focus(); // the chosen button is disabled now: carry on typing
        },
      }));
    });
    return group;
  }

  // One transcript entry: {who: "user"|"bot"|"note", m: message}; message as Rasa sends it.
  function draw(entry) {
    var m = entry.m || {};
    var rowNode = el("div", { class: "row " + entry.who });
    if (entry.who === "note") {
      rowNode.appendChild(el("div", { class: "bubble note", text: m.text }));
    } else {
      if (typeof m.text === "string" && m.text) rowNode.appendChild(el("div", { class: "bubble" }, [entry.who === "bot" ? linked(m.text) : m.text]));
      if (m.image && safeUrl(m.image)) rowNode.appendChild(el("img", { src: m.image, alt: "图片", style: "max-width:88%;border-radius:8px" }));
      var custom = m.custom && typeof m.custom === "object" ? m.custom : {};
      if (Array.isArray(custom.items) && custom.items.length) rowNode.appendChild(el("div", { class: "cards" }, custom.items.map(itemCard)));
      if (Array.isArray(custom.themes) && custom.themes.length) rowNode.appendChild(el("div", { class: "cards" }, custom.themes.map(themeCard)));
      if (custom.form && typeof custom.form === "object") rowNode.appendChild(progress(custom.form));
      if (custom.application && custom.application.receipt_number) {
        rowNode.appendChild(el("div", { class: "bubble", text: "受理编号：" + custom.application.receipt_number + "（" + (custom.application.status || "已提交") + "）" }));
      }
      if (custom.workorder && custom.workorder.number) {  // a 12345 work order filed in the chat (actions/workorder_filing.py)
        rowNode.appendChild(el("div", { class: "bubble", text: "工单编号：" + custom.workorder.number + "（" + (custom.workorder.status || "已受理") + "）" }));
      }
      if (custom.handoff) rowNode.appendChild(el("div", { class: "bubble note", text: "已进入人工客服排队" + (custom.handoff.ticket ? "（排队号 " + custom.handoff.ticket + "）" : "") }));
      var buttons = Array.isArray(m.buttons) && m.buttons.length ? m.buttons : Array.isArray(m.quick_replies) ? m.quick_replies : [];
      if (buttons.length) rowNode.appendChild(choices(buttons, entry));
    }
    if (!rowNode.children.length) return;
    log.insertBefore(rowNode, typing);
    scrollDown();
  }

  function add(who, message) {
    var entry = { who: who, m: message };
    transcript.push(entry);
    if (transcript.length > MAX_KEPT) transcript = transcript.slice(-MAX_KEPT);
    save("transcript", transcript);
    save("active", Date.now());
    draw(entry);
  }

  var typingTimer = null;
  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      scrollDown();
      typingTimer = setTimeout(function () { typing.hidden = true; }, 30000);
    }
  }

  function setStatus(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  // ---- transport: socket.io first, REST when it cannot connect
  var socket = null;

  function receive(message) {
    if (!message || typeof message !== "object") return;
    showTyping(false);
    add("bot", message);
  }

  function postRest(text) {
    var request = new XMLHttpRequest();
    request.open("POST", config.server + "/webhooks/rest/webhook");
    request.setRequestHeader("Content-Type", "application/json");
    request.timeout = 60000;
    request.onload = function () {
      showTyping(false);
      var messages = [];
      try {
        messages = JSON.parse(request.responseText);
      } catch (e) {
        messages = null;
      }
      if (request.status !== 200 || !Array.isArray(messages)) return add("note", { text: "服务暂时不可用，请稍后再试或拨打12345。" });
      messages.forEach(function (m) { add("bot", m); });
    };
    request.onerror = request.ontimeout = function () {
      showTyping(false);
      add("note", { text: "网络异常，消息未能送达，请检查网络后重试。" });
    };
    request.send(JSON.stringify({ sender: sessionId, message: text }));
  }

  // `text` goes to the bot; `shown` (a button's title) is what the transcript shows;
  // `hidden`: nothing is shown (an intent the widget sends by itself, /ask_suggestions).
  function send(text, shown, hidden) {
    text = String(text || "").trim();
    if (!text) return;
    if (!hidden) add("user", { text: mask(String(shown || text).trim()) });
    showTyping(true);
    if (socket && socket.connected) socket.emit("user_uttered", { message: text, session_id: sessionId });
    else postRest(text);
  }

  // Not connected: say so, and after fallbackMs say that messages now go over REST.
  var fallbackTimer = null;
  function waitOrFallBack(text) {
    if (status.getAttribute("data-state") === "rest") return;
    setStatus("connecting", text);
    if (!fallbackTimer) {
      fallbackTimer = setTimeout(function () {
        fallbackTimer = null;
        if (!socket.connected) setStatus("rest", "普通连接");
      }, config.fallbackMs);
    }
  }

  function connect() {
    if (typeof window.io !== "function") return setStatus("rest", "普通连接");
    socket = window.io(config.server, { path: "/socket.io/", reconnectionDelayMax: 10000, timeout: config.fallbackMs });
    waitOrFallBack("正在连接…");
    socket.on("connect", function () {
      clearTimeout(fallbackTimer);
      fallbackTimer = null;
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      if (id && id !== sessionId) {
        sessionId = id;
        save("session", sessionId);
      }
      setStatus("online", "在线");
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () { waitOrFallBack("连接中断，正在重连…"); });
    socket.on("connect_error", function () { waitOrFallBack("正在重连…"); });
    socket.io.on("reconnect_attempt", function (n) { waitOrFallBack("正在重连（第" + n + "次）…"); });
  }

  function loadSocketIo() {
    if (typeof window.io === "function") return connect();
    var tag = document.createElement("script");
    tag.src = config.base + "socket.io.min.js";
    tag.onload = connect;
    tag.onerror = function () { setStatus("rest", "普通连接"); };
    document.head.appendChild(tag);
  }

  // ---- opening, closing, keyboard
  // A first visit gets the greeting and example questions. A returning user (this sender
  // asked something here before, and has been away returnMs) gets 猜你要办: the bot's
  // suggestions from what they applied for (actions/suggestions.py), asked for silently.
  function greet() {
    var returning = transcript.some(function (e) { return e.who === "user"; }) && Date.now() - load("active", 0) > config.returnMs;
    if (returning && config.guess) {
      save("active", Date.now());
      send("/ask_suggestions", null, true);
      return;
    }
    if (transcript.length) return;
    var buttons = config.suggestions.map(function (q) { return { title: q, payload: q }; });
    add("bot", { text: config.greeting, buttons: buttons });
  }

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    save("open", true);
    greet();
    scrollDown();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    save("open", false);
    launcher.focus();
  }

  function restart() {
    transcript = [];
    sessionId = newSessionId();
    save("session", sessionId);
    save("transcript", transcript);
    Array.prototype.slice.call(log.children).forEach(function (c) { if (c !== typing) log.removeChild(c); });
    if (socket && socket.connected) socket.emit("session_request", { session_id: sessionId });
    greet();
    input.focus();
  }

  launcher.addEventListener("click", open);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });

  log.appendChild(typing);
  transcript.forEach(draw);
  (document.body || document.documentElement).appendChild(host);
  loadSocketIo();
  if (config.open || load("open", false)) open();

  window.TongbanWidget = { open: open, close: close, send: function (text) { send(text); } };
})();
