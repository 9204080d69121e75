// format.js: the page's texts, as pure functions of the engine's data (tested in
// Node by tests/page.format.test.mjs). What a call is called (its state, how it
// ended, how long it lasted) comes from lib/texts.js, shared with the widget and
// the Mizu facade.
import { isRinging, outcome } from "../lib/texts.js";

// A call's state (callStatus), a duration as m:ss (duration, talkTime), the detail
// of a history entry (historyDetail: how long, or why it did not happen) and what
// a call the engine refused says (DIAL_FAILED).
export { DIAL_FAILED, callStatus, duration, isRinging, talkTime, outcomeText as historyDetail, voicemailText, contactStatusText } from "../lib/texts.js";

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

/**
 * The quality badge of a call from its call.stats figures: its text, a level and
 * a tooltip with the figures behind it. The levels follow G.107 Annex B: from MOS
 * 4.0 (R 80) users are satisfied, below 3.6 (R 70) many are not. A wideband call's
 * MOS is G.107.1's MOS-CQEW, the same curve on R/1.29, so the same levels hold; but
 * on that scale a clean G.722 call scores about 4.3 where clean G.711 scores 4.4 on
 * its own, so the badge says "HD" and the tooltip names the scale, lest two calls'
 * figures be compared as if they were one scale's.
 */
export function qualityBadge(stats) {
  if (!stats) return null;
  const level = stats.mos >= 4 ? "good" : stats.mos >= 3.6 ? "fair" : "poor";
  const ms = stats.rttMs < 10 ? stats.rttMs.toFixed(1) : Math.round(stats.rttMs);
  const rtt = stats.rttMs > 0 ? `${ms} ms` : "unknown";
  const scale = stats.wideband ? " (wideband scale, G.107.1)" : "";
  return {
    text: `${stats.wideband ? "HD " : ""}MOS ${stats.mos.toFixed(1)}`,
    level,
    title: `MOS ${stats.mos.toFixed(2)}${scale} · loss ${stats.lossPct.toFixed(1)} % · jitter ${stats.jitterMs.toFixed(1)} ms · RTT ${rtt}`,
  };
}

/** Who a SIP URI names, for a sentence: its user part, or the URI as given. */
export function targetLabel(target) {
  const m = /^<?sips?:([^@;?>]+)@/i.exec(String(target || "").trim());
  return m ? decodeURIComponent(m[1]) : String(target || "").trim() || "unknown";
}

/**
 * The note of an outgoing call that someone else's phone picked up while it rang
 * (call.state's pickedUpBy): "picked up by carol"; "" for any other call. The call's
 * peer is then already the picker.
 */
export function pickedUpText(call) {
  return call?.pickedUpBy ? `picked up by ${targetLabel(call.pickedUpBy)}` : "";
}

/**
 * The progress of a transfer the user started, from its last call.transfer event:
 * "transferring to carol…", "ringing", "transferred", "transfer failed: 486 Busy Here".
 */
export function transferText(ev) {
  switch (ev?.state) {
    case "trying": return `transferring to ${targetLabel(ev.target)}…`;
    case "ringing": return `transfer: ${targetLabel(ev.target)} ringing`;
    case "succeeded": return "transferred";
    case "failed": {
      const why = [ev.code || "", ev.reason || ""].join(" ").trim();
      return `transfer failed${why ? `: ${why}` : ""}`;
    }
    default: return "";
  }
}

/** The question a peer's REFER (call.referred) asks: "Bob asks you to call carol". */
export function referralText(call, target) {
  return `${call ? peerLabel(call) : "The caller"} asks you to call ${targetLabel(target)}`;
}

/** A ringing incoming call while another call is up is call waiting. */
export function isWaiting(call, lines) {
  return call.direction === "incoming" && isRinging(call)
    && lines.some((x) => x.callId !== call.callId && x.state === "active");
}
