// The softphone page: everything goes through the client library, like any site's.
import { connect } from "./lib/wpservice.js";

const $ = (s) => document.querySelector(s);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};

// Served by the engine itself: its own port first. As static files elsewhere: the defaults.
const onLoopback = ["127.0.0.1", "localhost", "[::1]"].includes(location.hostname);
const ownPort = Number(location.port) || (location.protocol === "https:" ? 443 : 80);
const options = onLoopback && location.protocol === "https:" ? { secure: true, tlsPorts: [ownPort, 18630, 18631, 18632, 18633] }
  : onLoopback ? { secure: false, ports: [ownPort, 18620, 18621, 18622, 18623] } : {};
const phone = connect({ ...options, subscribe: { levels: true } });
window.wpsPhone = phone;

// ---------------------------------------------------------------------------
// connection banner

const BANNER = {
  connecting: ["Connecting to the phone engine…", null],
  "not-running": ["The wpservice engine is not running on this computer. Install it, or start it with: wpservice start.", "Retry"],
  "permission-needed": ["Your browser asks before a web page may talk to the phone engine on this computer.", "Connect"],
  "permission-denied": ["Your browser blocks this page from reaching the phone engine. Allow “local network access” for this site in the browser's site settings.", "Retry"],
  "iframe-blocked": ["This page is inside a frame that may not reach the phone engine: the embedding page must add allow=\"loopback-network\" to its iframe.", null],
  pairing: ["Waiting for approval: allow this site on the wpservice page (http://127.0.0.1:18620/) or with: wpservice pair approve ", null],
  "not-approved": ["The phone engine does not accept this site. Ask your administrator, or approve it in wpservice.", "Retry"],
  connected: ["", null],
  disconnected: ["Connection to the phone engine lost; reconnecting…", "Retry now"],
  closed: ["Disconnected.", null],
};

function renderBanner() {
  const [text, action] = BANNER[phone.status] || [phone.status, null];
  const banner = $("#banner");
  banner.dataset.state = phone.status;
  banner.hidden = phone.status === "connected";
  $("#banner-text").textContent = phone.status === "pairing" ? text + (phone.pairing?.origin || location.origin) : text;
  $("#banner-action").hidden = !action;
  $("#banner-action").textContent = action || "";
}
$("#banner-action").addEventListener("click", () => phone.connectNow());

// ---------------------------------------------------------------------------
// registration and account

function renderRegistration() {
  const r = phone.state.registration;
  const acc = phone.state.account;
  const who = acc?.username ? `${acc.username}@${acc.server}` : "no account";
  const text = !r ? "" : r.state === "registered" ? `Registered as ${who}`
    : r.state === "failed" ? `Registration failed${r.code ? ` (${r.code} ${r.reason || ""})` : r.reason ? ` (${r.reason})` : ""}`
      : r.state === "registering" ? `Registering ${who}…` : `Not registered (${who})`;
  $("#registration").textContent = text;
  $("#registration").dataset.state = r?.state || "";
}

let accountLoaded = false;
function renderAccount() {
  const admin = phone.permission === "admin";
  $("#account-readonly").hidden = admin;
  for (const e of $("#account").elements) e.disabled = !admin;
  const acc = phone.state.account;
  if (!acc || accountLoaded) return;
  accountLoaded = true;
  const f = $("#account").elements;
  for (const k of ["server", "username", "authUsername", "displayName"]) f[k].value = acc[k] || "";
  f.transport.value = acc.transport || "udp";
  f.register.checked = acc.register !== false;
}

$("#account").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const args = {
    server: f.server.value.trim(), username: f.username.value.trim(), authUsername: f.authUsername.value.trim(),
    displayName: f.displayName.value, transport: f.transport.value, register: f.register.checked,
  };
  if (f.password.value) args.password = f.password.value;
  try {
    await phone.setAccount(args);
    f.password.value = "";
  } catch (err) {
    flash(`Account not saved: ${err.message}`);
  }
});
$("#unregister").addEventListener("click", () => phone.unregister().catch((e) => flash(e.message)));

// ---------------------------------------------------------------------------
// dialing

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
for (const k of KEYS) {
  $("#dialpad").append(el("button", { type: "button", class: "key", "aria-label": `Dial ${k}`, onclick: () => press(k) }, k));
}

function press(key) {
  const active = phone.state.lines.find((c) => c.state === "active" && c.line === phone.state.selectedLine)
    || phone.state.lines.find((c) => c.state === "active");
  if (active && document.activeElement !== $("#number")) {
    phone.dtmf(key, active.callId).catch((e) => flash(e.message));
    return;
  }
  $("#number").value += key;
  $("#number").focus();
}

$("#dial").addEventListener("submit", (e) => {
  e.preventDefault();
  const to = $("#number").value.trim();
  if (!to) return;
  phone.dial(to).then(() => { $("#number").value = ""; }, (err) => flash(`Call failed: ${err.message}`));
});

// Keyboard: digits go to the number field (or to the active call as DTMF), Enter calls.
document.addEventListener("keydown", (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.ctrlKey || e.metaKey || e.altKey) return;
  if (KEYS.includes(e.key)) {
    e.preventDefault();
    press(e.key);
  }
});

// ---------------------------------------------------------------------------
// calls

const STATE_TEXT = { dialing: "Calling…", incoming: "Incoming call", ringing: "Ringing…", early: "Ringing…", active: "In call", ended: "Ended" };

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  return `${h ? h + ":" : ""}${mm}:${String(s % 60).padStart(2, "0")}`;
}

function renderLines() {
  const lines = phone.state.lines;
  $("#no-calls").hidden = lines.length > 0;
  $("#lines").replaceChildren(...lines.map(lineItem));
  ringing(lines.some((c) => c.direction === "incoming" && (c.state === "incoming" || c.state === "ringing") && !c.ignored));
}

function lineItem(c) {
  const act = (label, cls, fn) => el("button", { type: "button", class: cls, "aria-label": `${label}, line ${c.line}`, onclick: () => fn().catch((e) => flash(e.message)) }, label);
  const ref = c.callId;
  const who = c.peerName ? `${c.peerName} (${c.peerUser || c.peer})` : c.peerUser || c.peer;
  const status = c.state === "active" && c.held ? "On hold" : c.state === "active" && c.remoteHeld ? "Held by the other side" : STATE_TEXT[c.state] || c.state;
  const item = el("li", { class: `line state-${c.state}`, "data-line": String(c.line), "data-state": c.state, "data-held": String(!!c.held) },
    el("div", { class: "line-head" },
      el("strong", { text: `Line ${c.line}` }),
      el("span", { class: "peer", text: ` ${c.direction === "incoming" ? "from" : "to"} ${who}` })),
    el("div", { class: "line-status" },
      el("span", { class: "status", text: status }),
      el("span", { class: "timer", "data-since": String(c.answeredAt || ""), text: c.answeredAt ? duration(Date.now() - c.answeredAt) : "" })));
  const row = el("div", { class: "row" });
  if (c.direction === "incoming" && (c.state === "incoming" || c.state === "ringing")) {
    row.append(act("Answer", "call", () => phone.answer(ref)), act("Reject", "end", () => phone.reject(ref)));
    if (!c.ignored) row.append(act("Silence", "", () => phone.ignore(ref)));
  } else {
    row.append(act("Hang up", "end", () => phone.hangup(ref)));
  }
  if (c.state === "active") {
    row.append(
      act(c.held ? "Resume" : "Hold", "", () => phone.hold(!c.held, ref)),
      act(c.muted ? "Unmute" : "Mute", "", () => phone.mute(!c.muted, ref)));
    const pad = el("div", { class: "keypad small", role: "group", "aria-label": `Keypad, line ${c.line}` },
      ...KEYS.map((k) => el("button", { type: "button", class: "key", "aria-label": `DTMF ${k}, line ${c.line}`, onclick: () => phone.dtmf(k, ref).catch((e) => flash(e.message)) }, k)));
    item.append(row, pad);
  } else {
    item.append(row);
  }
  return item;
}

setInterval(() => {
  for (const t of document.querySelectorAll(".timer[data-since]")) {
    const since = Number(t.dataset.since);
    if (since) t.textContent = duration(Date.now() - since);
  }
}, 500);

// Incoming calls: the title flashes, and a notification when the user allowed them.
let flashTimer = null;
const baseTitle = document.title;
function ringing(on) {
  if (on && !flashTimer) {
    const c = phone.state.lines.find((x) => x.direction === "incoming");
    const who = c?.peerName || c?.peerUser || "unknown";
    flashTimer = setInterval(() => {
      document.title = document.title === baseTitle ? `☎ Incoming call from ${who}` : baseTitle;
    }, 800);
    if (typeof Notification !== "undefined" && Notification.permission === "granted" && document.hidden) {
      new Notification("Incoming call", { body: who, tag: "wpservice-incoming" });
    }
  } else if (!on && flashTimer) {
    clearInterval(flashTimer);
    flashTimer = null;
    document.title = baseTitle;
  }
}
if (typeof Notification !== "undefined" && Notification.permission === "default") {
  $("#notify").hidden = false;
  $("#notify").addEventListener("click", () => Notification.requestPermission().then(() => { $("#notify").hidden = true; }));
}

// ---------------------------------------------------------------------------
// history (this browser's, from the calls it saw end)

const HISTORY = "wpservice.page.history";
const readHistory = () => {
  try {
    return JSON.parse(localStorage.getItem(HISTORY) || "[]");
  } catch {
    return [];
  }
};

function remember(c) {
  const h = readHistory();
  h.unshift({ direction: c.direction, peer: c.peerUser || c.peer, uri: c.peer, name: c.peerName, at: c.startedAt,
    ms: c.answeredAt ? (c.endedAt || Date.now()) - c.answeredAt : 0, cause: c.cause?.kind || "", code: c.cause?.code || 0 });
  try {
    localStorage.setItem(HISTORY, JSON.stringify(h.slice(0, 100)));
  } catch { /* storage full */ }
  renderHistory();
}

function renderHistory() {
  const h = readHistory();
  $("#no-history").hidden = h.length > 0;
  $("#history").replaceChildren(...h.map((e) => el("li", {},
    el("button", { type: "button", class: "redial", "aria-label": `Call ${e.peer} again`, onclick: () => { $("#number").value = e.uri || e.peer; $("#dial").requestSubmit(); } },
      `${e.direction === "incoming" ? (e.ms ? "↙" : "✕") : "↗"} ${e.name || e.peer}`),
    el("span", { class: "muted", text: ` ${new Date(e.at).toLocaleString()} · ${e.ms ? duration(e.ms) : e.cause.replace("_", " ")}` }))));
}

// ---------------------------------------------------------------------------
// devices, volumes and the level meter

function fillSelect(sel, list, selected) {
  if (document.activeElement === sel) return;
  sel.replaceChildren(...list.map((d) => el("option", { value: d.id }, d.name + (d.default ? " (default)" : ""))));
  sel.value = selected && list.some((d) => d.id === selected) ? selected : list.find((d) => d.default)?.id || "";
}

function renderDevices() {
  const d = phone.state.devices;
  if (!d) return;
  fillSelect($("#input"), d.inputs, d.selectedInput);
  fillSelect($("#output"), d.outputs, d.selectedOutput);
  fillSelect($("#ringer"), d.outputs, d.selectedRinger);
  for (const [id, v] of [["#vol-input", d.inputVolume], ["#vol-output", d.outputVolume], ["#vol-ringer", d.ringerVolume]]) {
    if (document.activeElement !== $(id)) $(id).value = String(v ?? 50);
  }
}
for (const [id, key] of [["#input", "input"], ["#output", "output"], ["#ringer", "ringer"]]) {
  $(id).addEventListener("change", (e) => phone.selectDevices({ [key]: e.target.value }).catch((err) => flash(err.message)));
}
for (const [id, key] of [["#vol-input", "input"], ["#vol-output", "output"], ["#vol-ringer", "ringer"]]) {
  $(id).addEventListener("change", (e) => phone.setVolume({ [key]: Number(e.target.value) }).catch((err) => flash(err.message)));
}
phone.on("audio.level", (l) => { $("#level").value = Math.max(-60, l.input); });

// ---------------------------------------------------------------------------
// pairing (admin connections only)

function renderPairing(list) {
  const item = (origin, detail, buttons) => el("li", {},
    el("span", { class: "origin", text: origin }), // an origin is attacker-chosen text: never markup
    el("span", { class: "when", text: ` ${detail} ` }),
    ...buttons.map(([label, cls, cmd]) => el("button", { type: "button", class: cls, "aria-label": `${label} ${origin}`, onclick: () => phone.send(cmd, { origin }).catch((e) => flash(e.message)) }, label)));
  const time = (t) => new Date(t).toLocaleString();
  $("#pairing-pending").replaceChildren(...list.pending.map((r) =>
    item(r.origin, `asked ${time(r.time)}, wants to place and answer calls`, [["Allow", "call", "pair.approve"], ["Deny", "end", "pair.deny"]])));
  $("#pairing-paired").replaceChildren(...list.paired.map((p) => item(p.origin, `approved ${time(p.approved)}`, [["Revoke", "", "pair.revoke"]])));
  $("#pairing-provisioned").replaceChildren(...list.provisioned.map((p) => item(p.origin, `set by the administrator (${p.permission})`, [])));
  $("#pairing-empty").hidden = list.pending.length > 0;
  $("#pairing-empty").textContent = list.enabled ? "No site is waiting for approval." : "Approving new sites is switched off by the administrator.";
  $("#pairing").classList.toggle("attention", list.pending.length > 0);
}
phone.on("pair.changed", renderPairing);

// ---------------------------------------------------------------------------
// wiring

function flash(text) {
  const b = $("#banner");
  b.hidden = false;
  b.dataset.state = "error";
  $("#banner-text").textContent = text;
  $("#banner-action").hidden = true;
  setTimeout(renderBanner, 6000);
}

phone.on("status", renderBanner);
phone.on("hello", () => {
  const admin = phone.permission === "admin";
  $("#pairing").hidden = !admin;
  if (admin) phone.send("pair.list").then(renderPairing, () => {});
});
phone.on("call.state", (c) => { if (c.state === "ended") remember(c); });
phone.on("state", () => {
  renderRegistration();
  renderAccount();
  renderLines();
  renderDevices();
});
renderBanner();
renderHistory();
