// widget.js: the click-to-call button. Built into the self-contained classic
// script click2call.js (build.mjs); a page adds it with one tag:
//
//   <script src="click2call.js" data-number="1002" data-label="Call sales" data-style="pill" async></script>
//
// The button appears where the tag is, shows the call's progress (data-state idle,
// dialing, ringing, early, active, ended) and hangs up on a second click.
// data-style is "pill" (default) or "link"; data-ports (comma list) and
// data-secure ("0", "1", "auto") say where the engine listens when not on the
// defaults; data-min-version is the oldest engine the site works with, and
// data-download the address of the installer the button offers when the engine is
// missing or too old. The look comes from click2call.css next to the script (classes
// wps-c2c*), which the host page may override.
import { connect } from "./wpservice.js";
import { DIAL_FAILED, callStatus, duration, outcome, outcomeText, talkTime } from "./texts.js";

const MESSAGES = {
  "not-running": "The phone engine is not running on this computer.",
  "permission-needed": "Click to let this site use your phone; your browser will ask.",
  "permission-denied": "Your browser blocks access to the phone engine.",
  "iframe-blocked": "This frame may not reach the phone engine.",
  pairing: "Waiting for approval: allow this site on the wpservice page.",
  "not-approved": "This site is not approved in wpservice.",
  "update-needed": "The phone engine on this computer is too old for this site.",
  disconnected: "Reconnecting to the phone engine…",
};

const ENDED_MS = 4000;

/** What the button says during a call: how far it got, then its timer once answered. */
export function callButtonText(call, now = Date.now()) {
  return call.state === "active" && call.answeredAt
    ? `Hang up · ${duration(talkTime(call, now))}`
    : `${callStatus(call)} · Hang up`;
}

/** What the button says once a call is over: how long it lasted, or why it did not happen. */
export const endedText = (call) => `Call ended · ${outcomeText(outcome(call))}`;

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
  if (script.dataset.minVersion) opts.minVersion = script.dataset.minVersion;
  if (script.dataset.download) opts.downloadUrl = script.dataset.download;
  const phone = connect(opts);
  const download = document.createElement("a");
  download.className = "wps-c2c-download";
  download.target = "_blank";
  download.rel = "noopener";
  let callId = null;
  let ended = null; // { text, since }: the last call's outcome, shown for ENDED_MS
  let timer = null;

  const render = () => {
    const call = callId ? phone.call(callId) : null;
    box.dataset.status = phone.status;
    if (call) {
      box.dataset.state = call.state;
      button.textContent = callButtonText(call);
      button.setAttribute("aria-label", `Hang up the call to ${number}`);
    } else if (ended) {
      box.dataset.state = "ended";
      button.textContent = ended.text;
      button.setAttribute("aria-label", `${ended.text}. ${label}`);
    } else {
      box.dataset.state = "idle";
      button.textContent = label;
      button.setAttribute("aria-label", label);
    }
    msg.textContent = MESSAGES[phone.status] || "";
    if (phone.downloadUrl && (phone.status === "not-running" || phone.status === "update-needed")) {
      download.href = phone.downloadUrl;
      download.textContent = phone.status === "update-needed" ? "Update the phone engine" : "Install the phone engine";
      msg.append(" ", download);
    }
    button.disabled = !number;
  };

  // The timer ticks while a call is active, and takes the ended state back to idle.
  const tick = () => {
    if (ended && !callId && Date.now() - ended.since >= ENDED_MS) ended = null;
    if (!callId && !ended) {
      clearInterval(timer);
      timer = null;
    }
    render();
  };
  const startTimer = () => { timer ||= setInterval(tick, 1000); };

  phone.on("status", render);
  phone.on("call.state", (c) => {
    if (c.callId !== callId) return;
    if (c.state === "ended") {
      callId = null;
      ended = { text: endedText(c), since: Date.now() };
      box.dataset.last = c.cause?.kind || "ended";
    }
    startTimer();
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
    ended = null;
    try {
      ({ callId } = await phone.dial(number));
      if (!phone.call(callId)) callId = null; // it ended before the answer to call.dial
    } catch (e) {
      msg.textContent = `${DIAL_FAILED}: ${e.message}`;
      return;
    }
    startTimer();
    render();
  });

  render();
  return { phone, element: box };
}
