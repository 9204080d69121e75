// The page's texts and its banner logic, as pure functions (no browser needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  callStatus, duration, historyDetail, historyEntry, historyIcon, peerLabel, qualityBadge, registrationText, voicemailText, contactStatusText,
} from "../app/format.js";
import { bannerContent, shownStatus } from "../app/banner.js";
import { STATUSES } from "../lib/wpservice.js";
import { activeCall } from "../app/dialer.js";

test("duration", () => {
  for (const [ms, want] of [[0, "0:00"], [-5, "0:00"], [999, "0:00"], [1000, "0:01"], [59999, "0:59"], [60000, "1:00"],
    [3599000, "59:59"], [3600000, "1:00:00"], [3661000, "1:01:01"], [36000000, "10:00:00"]]) {
    assert.equal(duration(ms), want, `duration(${ms})`);
  }
});

test("peerLabel", () => {
  assert.equal(peerLabel({ peerName: "Alice", peerUser: "1001", peer: "sip:1001@pbx" }), "Alice (1001)");
  assert.equal(peerLabel({ peerName: "", peerUser: "1001", peer: "sip:1001@pbx" }), "1001");
  assert.equal(peerLabel({ peerName: "sipp", peerUser: "sipp", peer: "sip:sipp@127.0.0.1" }), "sipp");
  assert.equal(peerLabel({ peer: "sip:pbx" }), "sip:pbx");
  assert.equal(peerLabel({}), "unknown");
});

test("callStatus", () => {
  const cases = [
    [{ direction: "incoming", state: "ringing" }, "Incoming call"],
    [{ direction: "incoming", state: "incoming", ignored: true }, "Incoming call (silenced)"],
    [{ direction: "outgoing", state: "dialing" }, "Calling…"],
    [{ direction: "outgoing", state: "ringing" }, "Ringing…"],
    [{ direction: "outgoing", state: "early" }, "Ringing…"],
    [{ direction: "outgoing", state: "active" }, "In call"],
    [{ direction: "outgoing", state: "active", muted: true }, "In call (muted)"],
    [{ direction: "outgoing", state: "active", held: true, remoteHeld: true }, "On hold"],
    [{ direction: "incoming", state: "active", remoteHeld: true }, "Held by the other side"],
    [{ direction: "outgoing", state: "transferring" }, "transferring"],
  ];
  for (const [call, want] of cases) assert.equal(callStatus(call), want, JSON.stringify(call));
});

test("registrationText", () => {
  const acc = { username: "alice", server: "pbx.test" };
  assert.equal(registrationText(null, null), "Not registered (no account)");
  assert.equal(registrationText({ state: "registered" }, acc), "Registered as alice@pbx.test");
  assert.equal(registrationText({ state: "registering" }, acc), "Registering alice@pbx.test…");
  assert.equal(registrationText({ state: "failed", code: 403, reason: "Forbidden" }, acc), "Registration failed (403 Forbidden)");
  assert.equal(registrationText({ state: "failed", reason: "timeout" }, acc), "Registration failed (timeout)");
  assert.equal(registrationText({ state: "failed" }, acc), "Registration failed");
  assert.equal(registrationText({ state: "unregistered" }, acc), "Not registered (alice@pbx.test)");
});

test("history entries and their texts", () => {
  const answered = historyEntry({
    direction: "outgoing", peer: "sip:bob@pbx", peerUser: "bob", peerName: "Bob", state: "ended",
    cause: { kind: "local_hangup" }, startedAt: 1000, answeredAt: 3000, endedAt: 65000,
  });
  assert.deepEqual(answered, { direction: "outgoing", peer: "bob", uri: "sip:bob@pbx", name: "Bob", at: 1000, ms: 62000, cause: "local_hangup", code: 0 });
  assert.equal(historyDetail(answered), "1:02");
  assert.equal(historyIcon(answered), "↗");

  const missed = historyEntry({ direction: "incoming", peer: "sip:1003@pbx", peerUser: "1003", state: "ended", cause: { kind: "remote_hangup" }, startedAt: 5, endedAt: 9 });
  assert.equal(missed.ms, 0);
  assert.equal(historyDetail(missed), "missed");
  assert.equal(historyIcon(missed), "✕");

  const cases = [
    [{ direction: "outgoing", ms: 0, cause: "rejected", code: 486 }, "rejected (486)"],
    [{ direction: "outgoing", ms: 0, cause: "remote_hangup", code: 0 }, "not answered"],
    [{ direction: "outgoing", ms: 0, cause: "local_hangup", code: 0 }, "cancelled"],
    [{ direction: "incoming", ms: 0, cause: "local_hangup", code: 0 }, "declined"],
    [{ direction: "outgoing", ms: 0, cause: "something_new", code: 0 }, "something new"],
    [{ direction: "outgoing", ms: 0, cause: "", code: 0 }, "ended"],
  ];
  for (const [entry, want] of cases) assert.equal(historyDetail(entry), want, JSON.stringify(entry));
});

test("the banner keeps a problem through the retries' brief connecting", () => {
  assert.equal(shownStatus("", "connecting"), "connecting");
  assert.equal(shownStatus("not-running", "connecting"), "not-running");
  assert.equal(shownStatus("not-approved", "connecting"), "not-approved");
  assert.equal(shownStatus("disconnected", "connecting"), "disconnected");
  assert.equal(shownStatus("not-running", "connected"), "connected");
  assert.equal(shownStatus("not-running", "pairing"), "pairing");
  assert.equal(shownStatus("pairing", "connecting"), "connecting");
});

test("every status has its own message, and a button where the user can act", () => {
  const ctx = { origin: "https://crm.test", enginePage: "http://127.0.0.1:18620/" };
  const texts = new Set();
  for (const s of STATUSES) {
    const { text, action } = bannerContent(s, ctx);
    if (s === "connected") {
      assert.equal(text, "");
      continue;
    }
    assert.ok(text && !texts.has(text), `status ${s} has no message of its own`);
    texts.add(text);
    if (["not-running", "permission-needed", "permission-denied", "not-approved", "disconnected"].includes(s)) {
      assert.ok(action, `status ${s} has no button`);
    }
  }
  assert.equal(bannerContent("permission-needed", ctx).action, "Connect");
  assert.match(bannerContent("pairing", ctx).text, /allow https:\/\/crm\.test on the wpservice page \(http:\/\/127\.0\.0\.1:18620\/\)/);
  assert.match(bannerContent("iframe-blocked", ctx).text, /allow="loopback-network"/);
});

test("DTMF goes to the selected line's active call", () => {
  const a = { line: 1, callId: "a", state: "active" };
  const b = { line: 2, callId: "b", state: "active" };
  const held = { line: 3, callId: "h", state: "active", held: true };
  const ringing = { line: 4, callId: "r", state: "ringing" };
  assert.equal(activeCall({ lines: [a, b], selectedLine: 2 }), b);
  assert.equal(activeCall({ lines: [a, b], selectedLine: 0 }), a);
  assert.equal(activeCall({ lines: [held, ringing], selectedLine: 3 }), null);
  assert.equal(activeCall({ lines: [], selectedLine: 0 }), null);
});

test("qualityBadge", () => {
  assert.equal(qualityBadge(undefined), null);
  const clean = { mos: 4.41, lossPct: 0, jitterMs: 1.234, rttMs: 0.4 };
  assert.deepEqual(qualityBadge(clean), { text: "MOS 4.4", level: "good", title: "MOS 4.41 · loss 0.0 % · jitter 1.2 ms · RTT 0.4 ms" });
  assert.match(qualityBadge({ ...clean, rttMs: 123.4 }).title, / RTT 123 ms$/);
  assert.equal(qualityBadge({ ...clean, rttMs: 0 }).title, "MOS 4.41 · loss 0.0 % · jitter 1.2 ms · RTT unknown");
  assert.equal(qualityBadge({ ...clean, mos: 3.92, lossPct: 5 }).level, "fair");
  assert.equal(qualityBadge({ ...clean, mos: 2.98, lossPct: 15 }).level, "poor");
  // a wideband call's MOS-CQEW: marked, and its scale named
  const hd = { ...clean, mos: 4.33, wideband: true };
  assert.deepEqual(qualityBadge(hd), {
    text: "HD MOS 4.3", level: "good", title: "MOS 4.33 (wideband scale, G.107.1) · loss 0.0 % · jitter 1.2 ms · RTT 0.4 ms",
  });
});

test("voicemailText", () => {
  assert.equal(voicemailText({ waiting: true, new: 2, old: 8 }), "2 new voicemails, 8 old");
  assert.equal(voicemailText({ waiting: true, new: 1, old: 0 }), "1 new voicemail");
  assert.equal(voicemailText({ waiting: false, new: 0, old: 3 }), "0 new voicemails, 3 old");
  assert.equal(voicemailText({ waiting: true, new: 0, old: 0 }), "Voicemail waiting");
  assert.equal(voicemailText({ waiting: false, new: 0, old: 0 }), "No voicemail");
});

test("contactStatusText", () => {
  assert.equal(contactStatusText({ state: "DoNotDisturb" }, { lamp: "ringing" }), "Do Not Disturb · ringing");
  assert.equal(contactStatusText({ state: "Available" }, { lamp: "idle" }), "Available · free");
  assert.equal(contactStatusText(null, { lamp: "hold" }), "on hold");
  assert.equal(contactStatusText(undefined, { lamp: "unknown" }), "");
});
