// format.js: the page's texts, as pure functions of the engine's data (tested in
// Node by tests/page.format.test.mjs).

/** Keys of the dial pad, in their order on the pad. */
export const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** m:ss, or h:mm:ss from an hour on. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Who is on the other end: "Name (user)", the user, or the URI. */
export function peerLabel(call) {
  const user = call.peerUser || call.peer || "unknown";
  return call.peerName && call.peerName !== user ? `${call.peerName} (${user})` : user;
}

/** Whether a call is an incoming one still waiting for an answer. */
export const isRinging = (call) => call.direction === "incoming" && (call.state === "incoming" || call.state === "ringing");

const STATE_TEXT = {
  dialing: "Calling…", incoming: "Incoming call", ringing: "Ringing…", early: "Ringing…", active: "In call", ended: "Ended",
};

/** A call's state as its user says it. */
export function callStatus(call) {
  if (isRinging(call)) return call.ignored ? "Incoming call (silenced)" : "Incoming call";
  if (call.state === "active" && call.held) return "On hold";
  if (call.state === "active" && call.remoteHeld) return "Held by the other side";
  if (call.state === "active" && call.muted) return "In call (muted)";
  return STATE_TEXT[call.state] || call.state;
}

/** The registration line of the header, and the state it shows. */
export function registrationText(reg, account) {
  const who = account?.username ? `${account.username}@${account.server}` : "no account";
  switch (reg?.state) {
    case "registered": return `Registered as ${who}`;
    case "registering": return `Registering ${who}…`;
    case "failed": {
      const why = reg.code ? `${reg.code} ${reg.reason || ""}`.trim() : reg.reason || "";
      return `Registration failed${why ? ` (${why})` : ""}`;
    }
    default: return `Not registered (${who})`;
  }
}

const CAUSE_TEXT = {
  local_hangup: "cancelled", remote_hangup: "missed", rejected: "rejected", failed: "failed",
  rtp_timeout: "lost", shutdown: "engine stopped",
};

/** The history entry of an ended call (what localStorage keeps). */
export function historyEntry(call) {
  return {
    direction: call.direction,
    peer: call.peerUser || call.peer,
    uri: call.peer,
    name: call.peerName || "",
    at: call.startedAt,
    ms: call.answeredAt ? Math.max(0, (call.endedAt || call.answeredAt) - call.answeredAt) : 0,
    cause: call.cause?.kind || "",
    code: call.cause?.code || 0,
  };
}

/** The detail of a history entry: its duration when answered, else why it did not happen. */
export function historyDetail(entry) {
  if (entry.ms) return duration(entry.ms);
  if (entry.cause === "remote_hangup" && entry.direction === "outgoing") return "not answered";
  if (entry.cause === "local_hangup" && entry.direction === "incoming") return "declined";
  const text = CAUSE_TEXT[entry.cause] || entry.cause.replaceAll("_", " ") || "ended";
  return entry.code ? `${text} (${entry.code})` : text;
}

/** The arrow of a history entry: outgoing, incoming answered, incoming missed. */
export function historyIcon(entry) {
  if (entry.direction === "outgoing") return "↗";
  return entry.ms ? "↙" : "✕";
}
