const $ = (s) => document.querySelector(s);
let ws, nextId = 1, pending = new Map(), state = { lines: new Map(), reg: null };

function send(cmd, args) {
  return new Promise((resolve, reject) => {
    const id = String(nextId++);
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, cmd, args }));
  });
}

function render() {
  const r = state.reg || { state: "unregistered" };
  $("#status").textContent = `Registration: ${r.state}` + (r.code ? ` (${r.code} ${r.reason || ""})` : "");
  const box = $("#lines");
  box.replaceChildren();
  for (const c of [...state.lines.values()].sort((a, b) => a.line - b.line)) {
    const div = document.createElement("div");
    div.className = "line";
    // peer names come from remote SIP headers: text only, never markup
    const head = document.createElement("div");
    const strong = document.createElement("strong");
    strong.textContent = `Line ${c.line}`;
    const st = document.createElement("em");
    st.textContent = c.state;
    head.append(strong, ` ${c.direction} ${c.peerName || c.peerUser || c.peer} — `, st);
    div.append(head);
    const row = document.createElement("div");
    row.className = "row";
    const btn = (label, cls, fn) => { const b = document.createElement("button"); b.textContent = label; b.className = cls; b.onclick = fn; row.append(b); };
    if (c.direction === "incoming" && (c.state === "incoming" || c.state === "ringing")) {
      btn("Answer", "call", () => send("call.answer", { callId: c.callId }));
      btn("Reject", "end", () => send("call.reject", { callId: c.callId }));
    } else {
      btn("Hang up", "end", () => send("call.hangup", { callId: c.callId }));
    }
    if (c.state === "active") {
      btn(c.muted ? "Unmute" : "Mute", "", () => send("call.mute", { callId: c.callId, mute: !c.muted }));
      const pad = document.createElement("div");
      pad.className = "keypad";
      for (const d of "123456789*0#") {
        const b = document.createElement("button");
        b.textContent = d;
        b.setAttribute("aria-label", "DTMF " + d);
        b.onclick = () => send("call.dtmf", { callId: c.callId, digits: d });
        pad.append(b);
      }
      div.append(row, pad);
    } else {
      div.append(row);
    }
    box.append(div);
  }
}

// The pairing section: sites asking to use the phone, approved ones, provisioned ones.
function renderPairing(list) {
  const item = (origin, detail, buttons) => {
    const li = document.createElement("li");
    const o = document.createElement("span");
    o.className = "origin";
    o.textContent = origin; // an origin is attacker-chosen text: never markup
    const w = document.createElement("span");
    w.className = "when";
    w.textContent = detail;
    li.append(o, w);
    for (const [label, cls, cmd] of buttons) {
      const b = document.createElement("button");
      b.textContent = label;
      b.className = cls;
      b.setAttribute("aria-label", `${label} ${origin}`);
      b.onclick = () => send(cmd, { origin }).catch(() => {});
      li.append(b);
    }
    return li;
  };
  const time = (t) => new Date(t).toLocaleString();
  $("#pairing-pending").replaceChildren(...list.pending.map((r) =>
    item(r.origin, `asked ${time(r.time)}, wants to place and answer calls`,
      [["Allow", "call", "pair.approve"], ["Deny", "end", "pair.deny"]])));
  $("#pairing-paired").replaceChildren(...list.paired.map((p) =>
    item(p.origin, `approved ${time(p.approved)}`, [["Revoke", "", "pair.revoke"]])));
  $("#pairing-provisioned").replaceChildren(...list.provisioned.map((p) =>
    item(p.origin, `set by the administrator (${p.permission})`, [])));
  $("#pairing-empty").hidden = list.pending.length > 0;
  $("#pairing").classList.toggle("attention", list.pending.length > 0);
  if (!list.enabled) $("#pairing-empty").textContent = "Approving new sites is switched off by the administrator.";
}

function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  // A browser connection authenticates with its first message; our own page needs no token.
  ws.onopen = () => send("auth", {})
    .then(() => send("pair.list"))
    .then(renderPairing)
    .catch(() => {});
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const p = pending.get(msg.id); pending.delete(msg.id);
      msg.ok ? p.resolve(msg.result) : p.reject(new Error(msg.error.message));
      if (!msg.ok) $("#status").textContent = "Error: " + msg.error.message;
      return;
    }
    switch (msg.event) {
      case "hello": {
        const s = msg.data.snapshot;
        state.reg = s.registration;
        state.lines = new Map(s.lines.map((c) => [c.callId, c]));
        const f = $("#account");
        for (const k of ["server", "username", "displayName", "transport"]) f.elements[k].value = s.account[k] || f.elements[k].value;
        break;
      }
      case "reg.state": state.reg = msg.data; break;
      case "pair.changed": renderPairing(msg.data); return;
      case "call.state":
        if (msg.data.state === "ended") state.lines.delete(msg.data.callId);
        else state.lines.set(msg.data.callId, msg.data);
        break;
    }
    render();
  };
  ws.onclose = () => { $("#status").textContent = "Engine not reachable; retrying…"; setTimeout(connect, 2000); };
}

$("#account").onsubmit = async (e) => {
  e.preventDefault();
  const f = e.target.elements, args = { server: f.server.value, username: f.username.value, displayName: f.displayName.value, transport: f.transport.value, register: true };
  if (f.password.value) args.password = f.password.value;
  await send("account.set", args).catch(() => {});
  f.password.value = "";
};
$("#unregister").onclick = () => send("unregister").catch(() => {});
$("#dial").onsubmit = (e) => { e.preventDefault(); send("call.dial", { to: e.target.elements.to.value }).catch(() => {}); };
connect();
