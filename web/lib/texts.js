// texts.js: what a call is called, in one place. The softphone page (app/), the
// click-to-call button (widget.js) and the Mizu facade (webphone_api.js) all take
// a call's state, how it ended and how long it lasted from here; the facade keeps
// the Mizu API's own words for the same states (its STATUS texts, "..." for "…").

/**
 * The words for each call state: `text` on the page and the button, `line` and
 * `general` in the Mizu API's per-line and general (line -1) STATUS notifications.
 */
export const CALL_STATES = Object.freeze({
  dialing: { text: "Calling…", line: "Setup", general: "Calling..." },
  incoming: { text: "Incoming call", line: "Ringing", general: "Incoming..." },
  ringing: { text: "Ringing…", line: "Ringing", general: "Ringing..." },
  early: { text: "Ringing…", line: "InProgress", general: "Ringing..." },
  active: { text: "In call", line: "InCall", general: "In Call" },
  ended: { text: "Ended", line: "Finished" },
});

/** The words for what changes how a call in a state reads (see callStatus). */
export const CALL_CONDITIONS = Object.freeze({
  silenced: { text: "Incoming call (silenced)" },
  held: { text: "On hold", line: "Hold" },
  remoteHeld: { text: "Held by the other side", line: "Hold" },
  muted: { text: "In call (muted)", line: "Muted" },
});

/** The Mizu per-line STATUS text of a state it has no word for. */
const MIZU_UNKNOWN = "Unknown";

/**
 * Why a call that was never answered ended, by the engine's cause kind; where the
 * words depend on who called, by direction.
 */
export const CAUSES = Object.freeze({
  local_hangup: { outgoing: "cancelled", incoming: "declined" },
  remote_hangup: { outgoing: "not answered", incoming: "missed" },
  rejected: "rejected",
  failed: "failed",
  rtp_timeout: "connection lost",
  network_changed: "network changed",
  encryption_required: "not encrypted",
  incompatible_media: "no common audio",
  session_expired: "session expired",
  transferred: "transferred",
  forwarded: "forwarded",
  refused: "refused",
  timeout: { outgoing: "not answered", incoming: "timed out" },
  shutdown: "engine stopped",
});

/** What the page says of a message's delivery (chat.message, chat.status), by its state. */
export const CHAT_STATES = Object.freeze({
  received: "",
  sent: "sending…",
  delivered: "delivered",
  displayed: "seen",
  failed: "not delivered",
});

/** What an unanswered call with no cause at all says. */
const NO_CAUSE = "ended";

/** What a call the engine refused to place says, before the engine's message. */
export const DIAL_FAILED = "Call failed";

/** A table's own entry for a name the engine sent, undefined for any other. */
const entry = (table, name) => (Object.hasOwn(table, name) ? table[name] : undefined);

/** m:ss, or h:mm:ss from an hour on. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** How long a call has been (or was) answered, in ms: 0 if it never was. */
export function talkTime(call, now = Date.now()) {
  return call.answeredAt ? Math.max(0, (call.endedAt || now) - call.answeredAt) : 0;
}

/** Whether a call is an incoming one still waiting for an answer. */
export const isRinging = (call) => call.direction === "incoming" && (call.state === "incoming" || call.state === "ringing");

/** A call's state as its user says it. */
export function callStatus(call) {
  if (isRinging(call)) return call.ignored ? CALL_CONDITIONS.silenced.text : CALL_STATES.incoming.text;
  const condition = activeCondition(call);
  if (condition) return CALL_CONDITIONS[condition].text;
  return entry(CALL_STATES, call.state)?.text || call.state;
}

/** The Mizu per-line STATUS text of a call. */
export function mizuLineStatus(call) {
  const condition = activeCondition(call);
  if (condition) return CALL_CONDITIONS[condition].line;
  return entry(CALL_STATES, call.state)?.line || MIZU_UNKNOWN;
}

/**
 * The call part of the Mizu general STATUS text: the "best" of the calls (one in
 * call, then an incoming one, then one ringing, then one dialing), "" with none.
 */
export function mizuCallStatus(calls, now = Date.now()) {
  const active = calls.find((c) => c.state === "active");
  if (active) return `${CALL_STATES.active.general} (${Math.round(talkTime(active, now) / 1000)} sec)`;
  if (calls.some((c) => c.direction === "incoming")) return CALL_STATES.incoming.general;
  const waiting = ["ringing", "early", "dialing"].find((s) => calls.some((c) => c.state === s));
  return waiting ? CALL_STATES[waiting].general : "";
}

/** What holds or mutes an active call, the strongest first; "" when nothing does. */
function activeCondition(call) {
  if (call.state !== "active") return "";
  if (call.held) return "held";
  if (call.remoteHeld) return "remoteHeld";
  if (call.muted) return "muted";
  return "";
}

/**
 * How a call went, as the page's history keeps it: who called, how long it was
 * answered, the cause kind and the SIP code of its end.
 */
export function outcome(call, now = Date.now()) {
  return {
    direction: call.direction,
    ms: talkTime(call, now),
    cause: call.cause?.kind || "",
    code: call.cause?.code || 0,
  };
}

/** An outcome in a few words: its duration when answered, else why it did not happen. */
export function outcomeText({ direction, ms, cause, code }) {
  if (ms) return duration(ms);
  const words = entry(CAUSES, cause);
  const text = (typeof words === "object" ? words[direction] : words) || cause.replaceAll("_", " ") || NO_CAUSE;
  return code ? `${text} (${code})` : text;
}

/** The voicemail box (mwi.state) as a page shows it: "2 new voicemails, 8 old". */
export function voicemailText(box) {
  const fresh = box?.new || 0;
  const old = box?.old || 0;
  if (!fresh && !old) return box?.waiting ? "Voicemail waiting" : "No voicemail";
  const main = `${fresh} new voicemail${fresh === 1 ? "" : "s"}`;
  return old ? `${main}, ${old} old` : main;
}

/** A watched contact's presence and busy lamp as a page shows them: "Available · ringing". */
export function contactStatusText(presence, blf) {
  const parts = [];
  if (presence?.state) parts.push(presence.state.replace(/([a-z])([A-Z])/g, "$1 $2"));
  if (blf?.lamp && blf.lamp !== "unknown") parts.push(blf.lamp === "idle" ? "free" : blf.lamp === "hold" ? "on hold" : blf.lamp);
  return parts.join(" · ");
}
