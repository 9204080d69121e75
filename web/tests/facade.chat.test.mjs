// The webphone_api facade's instant messages against the real engine: sendchat sends
// a SIP MESSAGE and reports its fate as Mizu's CHATREPORT notifications; onChat hears
// the messages that come.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { engineRequirements, startEngine } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

let engine, api, uas, sipPort;
const events = []; // onEvent("event", ...) notifications
const chats = [];  // onChat arguments
const appStates = [];

const until = async (what, pred, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; notifications: ${events.join(" | ")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

before(async () => {
  if (engineRequirements().skip) return;
  engine = await startEngine();
  sipPort = engine.sip.udp;
  uas = await startUAS();
  ({ webphone_api: api } = await import("../lib/webphone_api.js"));
  api.setparameter("engineports", String(engine.port));
  api.setparameter("enginesecure", "0");
  api.setparameter("enginetoken", readFileSync(path.join(engine.dataDir, "token"), "utf8").trim());
  api.onAppStateChange((s) => appStates.push(s));
  api.onEvent((type, msg) => { if (type === "event") events.push(msg); });
  api.onChat((...a) => chats.push(a));
});

after(async () => {
  api?.stop();
  uas?.close();
  await new Promise((r) => setTimeout(r, 200));
  await engine?.stop();
});

test("sendchat sends a MESSAGE and reports it sent, or failed with the peer's answer", engineRequirements(), async () => {
  await until("started", () => appStates.includes("started"));
  const to = `sip:bob@127.0.0.1:${uas.port}`;
  assert.equal(api.sendchat(to, "Grüße 👋"), true);
  await until("the MESSAGE", () => uas.messages.length === 1);
  assert.equal(uas.messages[0], "Grüße 👋");
  await until("sent", () => events.includes(`CHATREPORT,-1,${to},2,`));
  assert.ok(events.indexOf(`CHATREPORT,-1,${to},1,`) < events.indexOf(`CHATREPORT,-1,${to},2,`), "sending comes first");

  uas.messageStatus = "404 Not Found";
  assert.equal(api.sendchat(to, "anyone?"), true);
  await until("failed", () => events.includes(`CHATREPORT,-1,${to},3,404 Not Found`));

  assert.equal(api.sendchat("", "to nobody"), false);
  assert.equal(api.sendchat(to, ""), false);
  assert.equal(api.sendsms("+15551234", "no SMS over SIP here"), false);
});

test("onChat hears a message received, with Mizu's arguments", engineRequirements(), async () => {
  await until("started", () => appStates.includes("started"));
  uas.message(`127.0.0.1:${sipPort}`, "Привет 🌍", { from: "carol" });
  await until("onChat", () => chats.length === 1);
  assert.deepEqual(chats[0], ["carol", "Привет 🌍", -1, ""]);
  assert.ok(events.includes("CHAT,-1,carol,Привет 🌍"));
  assert.deepEqual(uas.messageAnswers, [200]);
});
