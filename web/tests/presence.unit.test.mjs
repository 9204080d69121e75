// The Mizu presence and busy-lamp functions' pure parts (no engine needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PRESENCE_STATUSES, blfArgs, blfNotification, mizuSees, presenceArgs, presenceNotification, usersOf, watchUsers,
} from "../lib/webphone_presence.js";

test("usersOf: trimmed, no empties, no repeats", () => {
  assert.deepEqual(usersOf(" 2001, bob,,2001 ,"), ["2001", "bob"]);
  assert.deepEqual(usersOf(""), []);
  assert.deepEqual(usersOf(undefined), []);
});

test("setpresencestatus takes Mizu's five statuses, case-sensitive", () => {
  assert.deepEqual(Object.keys(PRESENCE_STATUSES), ["Online", "Away", "DND", "Invisible", "Offline"]);
  assert.equal(PRESENCE_STATUSES.online, undefined);
});

test("presence.state becomes onPresenceStateChange and PRESENCE", () => {
  const st = { number: "2001", state: "DoNotDisturb", note: "in a meeting, back at 3" };
  assert.deepEqual(presenceArgs(st), ["2001", "DoNotDisturb", "", ""]);
  assert.equal(presenceNotification(st), "PRESENCE,2001,DoNotDisturb,DoNotDisturb,,");
});

test("blf.state becomes onBLFStateChange and BLF", () => {
  const cases = [
    [{ number: "2001", lamp: "ringing", state: "early", direction: "recipient", callId: "c1" }, ["2001", "receiver", "early", "c1"]],
    [{ number: "2001", lamp: "busy", state: "confirmed", direction: "initiator", callId: "c2" }, ["2001", "initiator", "confirmed", "c2"]],
    [{ number: "2001", lamp: "hold", state: "confirmed" }, ["2001", "undefined", "confirmed", ""]],
    [{ number: "2001", lamp: "idle" }, ["2001", "undefined", "terminated", ""]],
    [{ number: "2001", lamp: "unknown" }, ["2001", "undefined", "failed", ""]],
  ];
  for (const [st, want] of cases) assert.deepEqual(blfArgs(st), want, JSON.stringify(st));
  assert.equal(blfNotification({ number: "a,b", lamp: "ringing", state: "early", direction: "recipient", callId: "c,1" }),
    "BLF,a b,receiver,early,c 1");
});

test("watchUsers: sets the flag of a contact with the number, adds the others", async () => {
  const sent = [];
  const phone = {
    async send(cmd, args) {
      sent.push([cmd, args]);
      if (cmd === "contacts.list") return { contacts: [{ id: "b", name: "Bob", number: "2001" }, { id: "c", name: "Carol", number: "2002", blf: true }] };
      return {};
    },
  };
  await watchUsers(phone, ["2001", "2002", "2003"], "blf");
  assert.deepEqual(sent, [
    ["contacts.list", undefined],
    ["contacts.set", { id: "b", blf: true }],
    ["contacts.set", { name: "2003", number: "2003", blf: true }],
  ]);
});

test("watchUsers: another account's contact with the number is another person", async () => {
  const sent = [];
  const phone = {
    state: { accounts: [{ id: "1", default: true }, { id: "2" }] },
    async send(cmd, args) {
      sent.push([cmd, args]);
      if (cmd === "contacts.list") return { contacts: [{ id: "b", name: "Bob", number: "2001", account: "2" }, { id: "c", name: "Carol", number: "2002", account: "1" }] };
      return {};
    },
  };
  await watchUsers(phone, ["2001", "2002"], "presence");
  assert.deepEqual(sent, [
    ["contacts.list", undefined],
    ["contacts.set", { name: "2001", number: "2001", presence: true }],
    ["contacts.set", { id: "c", presence: true }],
  ]);
});

test("Mizu's callbacks hear of the default account's contacts and box only", () => {
  assert.equal(mizuSees({ number: "2001", state: "Available" }), true);
  assert.equal(mizuSees({ waiting: true, new: 1, old: 0 }), true);
  assert.equal(mizuSees({ number: "2001", account: "2", lamp: "ringing" }), false);
  assert.equal(mizuSees({ account: "2", waiting: true, new: 1, old: 0 }), false);
});
