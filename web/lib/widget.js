// widget.js: the click-to-call button. Built into the self-contained classic
// script click2call.js (build.mjs); a page adds it with one tag:
//
//   <script src="click2call.js" data-number="1002" data-label="Call sales" data-style="pill" async></script>
//
// The button appears where the tag is, shows the call's progress, and hangs up on a
// second click. data-style is "pill" (default) or "link"; data-ports (comma list)
// and data-secure ("0", "1", "auto") say where the engine listens when not on the
// defaults. The look comes from click2call.css next to the script (classes
// wps-c2c*), which the host page may override.
import { connect } from "./wpservice.js";

const MESSAGES = {
  "not-running": "The phone engine is not running on this computer.",
  "permission-needed": "Click again to allow this site to use your phone.",
  "permission-denied": "Your browser blocks access to the phone engine.",
  "iframe-blocked": "This frame may not reach the phone engine.",
  pairing: "Approve this site in wpservice to call.",
  "not-approved": "This site is not approved in wpservice.",
  disconnected: "Reconnecting to the phone engine…",
};

const STATES = { dialing: "Calling…", ringing: "Ringing…", early: "Ringing…", active: "In call", incoming: "Incoming…" };

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Turns a script tag (with data-number, data-label, data-style) into a call button. */
export function mount(script) {
  if (!script || !script.dataset) return null;
  const number = (script.dataset.number || "").trim();
  const label = script.dataset.label || `Call ${number}`;
  const style = script.dataset.style === "link" ? "link" : "pill";

  if (script.src && !document.querySelector("link[data-wps-c2c]")) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("click2call.css", script.src).href;
    css.dataset.wpsC2c = "";
    document.head.append(css);
  }

  const box = document.createElement("span");
  box.className = `wps-c2c wps-c2c--${style}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "wps-c2c-button";
  const msg = document.createElement("span");
  msg.className = "wps-c2c-msg";
  msg.setAttribute("role", "status");
  msg.setAttribute("aria-live", "polite");
  box.append(button, msg);
  script.after(box);

  const opts = {};
  const ports = (script.dataset.ports || "").split(",").map((p) => Number(p.trim())).filter((p) => p > 0);
  if (ports.length) opts.ports = ports;
  if (script.dataset.secure) opts.secure = script.dataset.secure === "auto" ? "auto" : script.dataset.secure === "1";
  const phone = connect(opts);
  let callId = null;
  let timer = null;

  const render = () => {
    const call = callId ? phone.call(callId) : null;
    const state = call ? call.state : "idle";
    box.dataset.state = state;
    box.dataset.status = phone.status;
    if (call && call.state === "active" && call.answeredAt) {
      button.textContent = `Hang up · ${clock(Date.now() - call.answeredAt)}`;
    } else if (call) {
      button.textContent = `${STATES[call.state] || call.state} · Hang up`;
    } else {
      button.textContent = label;
    }
    button.setAttribute("aria-label", call ? `Hang up the call to ${number}` : label);
    msg.textContent = MESSAGES[phone.status] || "";
    button.disabled = !number;
  };

  phone.on("status", render);
  phone.on("call.state", (c) => {
    if (c.callId !== callId) return;
    if (c.state === "ended") {
      callId = null;
      clearInterval(timer);
      timer = null;
      box.dataset.last = c.cause?.kind || "ended";
    } else if (c.state === "active" && !timer) {
      timer = setInterval(render, 1000);
    }
    render();
  });

  button.addEventListener("click", async () => {
    if (callId) {
      phone.hangup(callId).catch(() => {});
      return;
    }
    if (phone.status !== "connected") {
      phone.connectNow(); // the user's gesture, for Local Network Access
      render();
      return;
    }
    try {
      ({ callId } = await phone.dial(number));
    } catch (e) {
      msg.textContent = `Call failed: ${e.message}`;
    }
    render();
  });

  render();
  return { phone, element: box };
}
