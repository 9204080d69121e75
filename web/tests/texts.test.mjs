// A call's texts are written once, in lib/texts.js: the softphone page, the
// click-to-call button and the Mizu facade say the same thing about the same call,
// and none of them keeps a copy of those words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import {
  CALL_CONDITIONS, CALL_STATES, CAUSES, DIAL_FAILED, callStatus, duration, mizuCallStatus, mizuLineStatus, outcome, outcomeText, talkTime,
} from "../lib/texts.js";
import * as page from "../app/format.js";
import { callButtonText, endedText } from "../lib/widget.js";

const web = path.join(import.meta.dirname, "..");
const DIRECTIONS = ["outgoing", "incoming"];
const KINDS = [...Object.keys(CAUSES), "something_new", ""];

const causeWords = Object.values(CAUSES).flatMap((c) => (typeof c === "object" ? Object.values(c) : [c]));
const stateWords = (key) => [...Object.values(CALL_STATES), ...Object.values(CALL_CONDITIONS)].map((w) => w[key]).filter(Boolean);

/**
 * The words texts.js owns, by file that shows them: the page's and the button's
 * everywhere, the Mizu STATUS texts in the facade (the page has a Hold button).
 * Words that are also the engine's names for a state or cause ("failed",
 * "rejected") are left out: any file may write those as names.
 */
function ownedWords(file) {
  const words = new Set([...stateWords("text"), ...causeWords, DIAL_FAILED]);
  if (file === "lib/webphone_api.js") for (const w of [...stateWords("line"), ...stateWords("general")]) words.add(w);
  for (const name of [...Object.keys(CALL_STATES), ...Object.keys(CAUSES)]) words.delete(name);
  return [...words];
}

/** The files that show a call's texts, which must take them from texts.js. */
function users() {
  const files = ["app.js", "lib/widget.js", "lib/webphone_api.js", ...readdirSync(path.join(web, "app")).map((f) => `app/${f}`)];
  return files.map((f) => [f, readFileSync(path.join(web, f), "utf8")]);
}

test("no copy of a call's texts outside texts.js", () => {
  assert.ok(ownedWords("lib/webphone_api.js").length > 20, "the facade's words are checked");
  for (const [file, src] of users()) {
    for (const w of ownedWords(file)) {
      for (const q of ['"', "'", "`"]) {
        assert.ok(!src.includes(`${q}${w}${q}`), `${file} writes ${q}${w}${q}: take it from lib/texts.js`);
      }
    }
    // Durations: m:ss, seconds and talk time are computed in texts.js only.
    assert.doesNotMatch(src, /padStart\(|\/ ?1000\b|-\s*[\w.]+\.answeredAt\b/, `${file} formats a duration itself: use lib/texts.js`);
  }
});

test("the page's call texts are texts.js's", () => {
  assert.equal(page.callStatus, callStatus);
  assert.equal(page.duration, duration);
  assert.equal(page.historyDetail, outcomeText);
});

// Calls in every state and condition the engine reports, as the page sees them.
const calls = [];
for (const direction of DIRECTIONS) {
  for (const state of Object.keys(CALL_STATES)) {
    calls.push({ direction, state });
    for (const flag of ["held", "remoteHeld", "muted", "ignored"]) calls.push({ direction, state, [flag]: true });
  }
}

test("the button says each state as the page does", () => {
  for (const call of calls) {
    if (call.state === "active") continue; // the button shows the timer instead
    assert.equal(callButtonText(call), `${page.callStatus(call)} · Hang up`, JSON.stringify(call));
  }
  const active = { direction: "outgoing", state: "active", answeredAt: 1000 };
  assert.equal(callButtonText(active, 43000), `Hang up · ${duration(42000)}`);
  assert.equal(callButtonText(active, 43000), "Hang up · 0:42");
});

test("the button says how a call ended as the page's history does", () => {
  for (const direction of DIRECTIONS) {
    for (const kind of KINDS) {
      for (const code of [0, 486, 603]) {
        const call = { direction, peer: "sip:bob@pbx", state: "ended", cause: { kind, code }, startedAt: 1000, endedAt: 5000 };
        assert.equal(endedText(call), `Call ended · ${page.historyDetail(page.historyEntry(call))}`, JSON.stringify(call));
      }
    }
  }
  const answered = { direction: "outgoing", state: "ended", cause: { kind: "local_hangup" }, startedAt: 0, answeredAt: 1000, endedAt: 43000 };
  assert.equal(endedText(answered), "Call ended · 0:42");
  assert.equal(page.historyDetail(page.historyEntry(answered)), "0:42");
});

test("how a call ended, in a few words", () => {
  const cases = [
    [{ direction: "outgoing", cause: { kind: "local_hangup" } }, "cancelled"],
    [{ direction: "incoming", cause: { kind: "local_hangup" } }, "declined"],
    [{ direction: "outgoing", cause: { kind: "remote_hangup" } }, "not answered"],
    [{ direction: "incoming", cause: { kind: "remote_hangup" } }, "missed"],
    [{ direction: "outgoing", cause: { kind: "rejected", code: 486, reason: "Busy Here" } }, "rejected (486)"],
    [{ direction: "outgoing", cause: { kind: "failed", code: 408 } }, "failed (408)"],
    [{ direction: "outgoing", cause: { kind: "rtp_timeout" } }, "connection lost"],
    [{ direction: "incoming", cause: { kind: "network_changed" } }, "network changed"],
    [{ direction: "outgoing", cause: { kind: "encryption_required" } }, "not encrypted"],
    [{ direction: "incoming", cause: { kind: "shutdown" } }, "engine stopped"],
    [{ direction: "outgoing", cause: { kind: "toString" } }, "toString"],
    [{ direction: "outgoing" }, "ended"],
    [{ direction: "outgoing", cause: { kind: "remote_hangup" }, answeredAt: 10, endedAt: 3661010 }, "1:01:01"],
  ];
  for (const [call, want] of cases) assert.equal(outcomeText(outcome(call)), want, JSON.stringify(call));
});

test("talk time: from the answer to the end, or to now while the call goes on", () => {
  assert.equal(talkTime({ startedAt: 0 }, 9000), 0);
  assert.equal(talkTime({ answeredAt: 1000 }, 9000), 8000);
  assert.equal(talkTime({ answeredAt: 1000, endedAt: 4000 }, 9000), 3000);
  assert.equal(talkTime({ answeredAt: 5000 }, 4000), 0);
});

test("the Mizu facade's STATUS texts for each state", () => {
  const line = (call) => mizuLineStatus({ direction: "outgoing", ...call });
  assert.equal(line({ state: "dialing" }), "Setup");
  assert.equal(line({ state: "ringing" }), "Ringing");
  assert.equal(line({ direction: "incoming", state: "incoming" }), "Ringing");
  assert.equal(line({ state: "early" }), "InProgress");
  assert.equal(line({ state: "active" }), "InCall");
  assert.equal(line({ state: "active", muted: true }), "Muted");
  assert.equal(line({ state: "active", held: true, muted: true }), "Hold");
  assert.equal(line({ state: "active", remoteHeld: true }), "Hold");
  assert.equal(line({ state: "ended" }), "Finished");
  assert.equal(line({ state: "transferring" }), "Unknown");

  const out = (state) => ({ direction: "outgoing", state });
  assert.equal(mizuCallStatus([]), "");
  assert.equal(mizuCallStatus([out("dialing")]), "Calling...");
  assert.equal(mizuCallStatus([out("dialing"), out("early")]), "Ringing...");
  assert.equal(mizuCallStatus([out("ringing"), { direction: "incoming", state: "incoming" }]), "Incoming...");
  assert.equal(mizuCallStatus([{ direction: "incoming", state: "incoming" }, { ...out("active"), answeredAt: 1000 }], 62400), "In Call (61 sec)");
  assert.equal(mizuCallStatus([out("active")], 62400), "In Call (0 sec)");
});
