// Mizu's several accounts through the webphone_api facade against the real engine:
// extraregisteraccounts at start and registerex later add the accounts beside the
// main one, a second registerex of the same account updates it, and their
// registrations come as REGISTER notifications that are not the main account's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { engineRequirements, startEngine } from "./harness.mjs";
import { connect } from "../lib/wpservice.js";
import { parseExtraAccounts } from "../lib/webphone_accounts.js";

let engine, api, watcher;
const events = [];

const until = async (what, pred, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

before(async () => {
  if (engineRequirements().skip) return;
  engine = await startEngine();
  ({ webphone_api: api } = await import("../lib/webphone_api.js"));
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  watcher = connect({ ports: [engine.port], secure: false, token });
  api.setparameter("autostart", "0");
  api.setparameter("engineports", String(engine.port));
  api.setparameter("enginesecure", "0");
  api.setparameter("enginetoken", token);
  api.onEvent((type, msg) => { if (type === "event") events.push(msg); });
});

after(async () => {
  api?.stop();
  watcher?.close();
  await new Promise((r) => setTimeout(r, 200));
  await engine?.stop();
});

test("parseExtraAccounts reads Mizu's list with either separator", () => {
  assert.deepEqual(parseExtraAccounts(" pbx:5060,2001,pw,120,proxy,realm,auth ; b,2002 # ,nouser; c,,x"), [
    { server: "pbx:5060", username: "2001", password: "pw", registerInterval: 120, outboundProxy: "proxy", authUsername: "auth", register: true },
    { server: "b", username: "2002", register: true },
  ]);
  assert.deepEqual(parseExtraAccounts(""), []);
});

test("extraregisteraccounts and registerex add the accounts beside the main one", engineRequirements(), async () => {
  api.setparameter("serveraddress", "127.0.0.1:9");
  api.setparameter("username", "agent");
  api.setparameter("password", "agent-pw");
  api.setparameter("extraregisteraccounts", "127.0.0.1:7,2001,pw1,120,,,auth2001#127.0.0.1:7,2002,pw2");
  api.start();
  const accounts = () => watcher.state.accounts || [];
  await until("three accounts", () => accounts().length === 3);
  const [main, first, second] = accounts();
  assert.equal(main.default, true);
  assert.equal(main.username, "agent", "the main account stays the engine's default");
  assert.deepEqual([first.server, first.username, first.authUsername, first.registerInterval, first.hasPassword, first.register],
    ["127.0.0.1:7", "2001", "auth2001", 120, true, true]);
  assert.deepEqual([second.username, second.registerInterval, second.hasPassword], ["2002", 300, true]);
  await until("a REGISTER notification of an extra account", () =>
    events.some((e) => /^REGISTER,0,\d,[^,]*,false,,200[12],/.test(e)));
  assert.ok(!events.some((e) => /^REGISTER,0,\d,[^,]*,true,,200[12],/.test(e)), "an extra account reported as the main one");

  assert.equal(api.registerex("127.0.0.1:7,2001,pw1,600"), true);
  await until("the update", () => accounts()[1]?.registerInterval === 600);
  assert.equal(accounts().length, 3, "the same account registered again is not added twice");
  assert.equal(api.registerex(""), false);
});
