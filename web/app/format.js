// format.js: the page's texts, as pure functions of the engine's data (tested in
// Node by tests/page.format.test.mjs). What a call is called (its state, how it
// ended, how long it lasted) comes from lib/texts.js, shared with the widget and
// the Mizu facade.
import { outcome } from "../lib/texts.js";

// A call's state (callStatus), a duration as m:ss (duration, talkTime), the detail
// of a history entry (historyDetail: how long, or why it did not happen) and what
// a call the engine refused says (DIAL_FAILED).
export { DIAL_FAILED, callStatus, duration, isRinging, talkTime, outcomeText as historyDetail } from "../lib/texts.js";

/** Keys of the dial pad, in their order on the pad. */
export const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** Who is on the other end: "Name (user)", the user, or the URI. */
export function peerLabel(call) {
  const user = call.peerUser || call.peer || "unknown";
  return call.peerName && call.peerName !== user ? `${call.peerName} (${user})` : user;
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

/** The history entry of an ended call (what localStorage keeps). */
export function historyEntry(call) {
  return {
    peer: call.peerUser || call.peer,
    uri: call.peer,
    name: call.peerName || "",
    at: call.startedAt,
    ...outcome(call),
  };
}

/** The arrow of a history entry: outgoing, incoming answered, incoming missed. */
export function historyIcon(entry) {
  if (entry.direction === "outgoing") return "↗";
  return entry.ms ? "↙" : "✕";
}
