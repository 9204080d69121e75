// The call-center texts of the page, as pure functions: a transfer's progress, the
// question of a peer's REFER, call waiting, and a call someone else picked up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isWaiting, peerLabel, pickedUpText, referralText, targetLabel, transferText } from "../app/format.js";

test("targetLabel: the user part of a SIP URI, or what was typed", () => {
  assert.equal(targetLabel("sip:carol@pbx.example.com"), "carol");
  assert.equal(targetLabel("<sips:carol%20b@pbx;transport=tls>"), "carol b");
  assert.equal(targetLabel("1003"), "1003");
  assert.equal(targetLabel(""), "unknown");
});

test("transferText: each call.transfer state", () => {
  const t = (state, code, reason) => transferText({ callId: "c1", target: "sip:carol@pbx", state, code, reason });
  assert.equal(t("trying", 202, "Accepted"), "transferring to carol…");
  assert.equal(t("ringing", 180, "Ringing"), "transfer: carol ringing");
  assert.equal(t("succeeded", 200, "OK"), "transferred");
  assert.equal(t("failed", 486, "Busy Here"), "transfer failed: 486 Busy Here");
  assert.equal(t("failed", undefined, "no outcome in 90 s"), "transfer failed: no outcome in 90 s");
  assert.equal(t("failed"), "transfer failed");
  assert.equal(transferText(undefined), "");
});

test("referralText: who asks, whom to call", () => {
  assert.equal(referralText({ peerName: "Bob", peerUser: "1002" }, "sip:carol@pbx"), "Bob (1002) asks you to call carol");
  assert.equal(referralText(undefined, "sip:carol@pbx"), "The caller asks you to call carol");
});

test("isWaiting: an incoming call ringing while another is active", () => {
  const up = { callId: "a", state: "active", direction: "outgoing" };
  const ringing = { callId: "b", state: "ringing", direction: "incoming" };
  assert.equal(isWaiting(ringing, [up, ringing]), true);
  assert.equal(isWaiting(ringing, [ringing]), false, "no other call");
  assert.equal(isWaiting(ringing, [{ ...up, state: "dialing" }, ringing]), false, "the other call is not up");
  assert.equal(isWaiting({ ...ringing, direction: "outgoing" }, [up, ringing]), false);
});

test("pickedUpText: an outgoing call picked up while it rang names the picker", () => {
  // call.state as the engine reports it: the peer is already the picker's.
  const picked = {
    callId: "c1", line: 1, direction: "outgoing", state: "active",
    peer: "sip:carol@pbx.example.com", peerUser: "carol", pickedUpBy: "sip:carol@pbx.example.com",
  };
  assert.equal(pickedUpText(picked), "picked up by carol");
  assert.equal(peerLabel(picked), "carol");
  assert.equal(pickedUpText({ ...picked, pickedUpBy: "<sip:1003@pbx;transport=tcp>" }), "picked up by 1003");
  assert.equal(pickedUpText({ ...picked, pickedUpBy: undefined }), "");
  assert.equal(pickedUpText({ ...picked, pickedUpBy: "" }), "");
  assert.equal(pickedUpText(undefined), "");
});
