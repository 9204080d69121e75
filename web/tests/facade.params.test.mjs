// Every parameter docs/javascript-api.md marks "engine" has an effect: set through
// webphone_api.setparameter, it reaches the engine's account, settings or command,
// as a second client of the engine sees. A row marked engine without a probe here,
// or a probe for a parameter the table does not mark so, fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { engineRequirements, startEngine } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";
import { connect } from "../lib/wpservice.js";

let engine, api, watcher, uas, uas2;

/** The account every probe starts from: the engine needs a server and a user name. */
const base = () => ({ serveraddress: `127.0.0.1:${uas.port}`, username: "agent" });

const until = async (what, pred, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** The parameters of the docs' table whose Support column says engine. */
function engineParams() {
  const doc = readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "javascript-api.md"), "utf8");
  const table = doc.slice(doc.indexOf("| Parameter | Support | Effect |"), doc.indexOf("### Functions"));
  const out = [];
  for (const row of table.split("\n")) {
    const cells = row.split("|").map((c) => c.trim());
    if (cells[2] !== "engine") continue;
    out.push(...[...cells[1].matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]));
  }
  return out.sort();
}

const account = () => watcher.state.account || {};
const settings = () => watcher.state.settings || {};

/**
 * One probe per engine parameter: the values to set (the parameter's own first),
 * what to do then (register() for the account), and what the engine must show.
 */
const probes = {
  // first: a call to the UAS before the probes below change the account's transport
  customsipheader: { set: { customsipheader: "X-Queue: sales" }, dial: true, sees: () => /^X-Queue: sales$/m.test(uas.invites.at(-1) || "") },
  serveraddress: { set: { serveraddress: () => `127.0.0.1:${uas2.port}` }, register: true, sees: () => account().server === `127.0.0.1:${uas2.port}` },
  username: { set: { username: "agent7" }, register: true, sees: () => account().username === "agent7" },
  password: { set: { password: "s3cret" }, register: true, sees: () => account().hasPassword === true },
  displayname: { set: { displayname: "Agent Seven" }, register: true, sees: () => account().displayName === "Agent Seven" },
  proxyaddress: { set: { proxyaddress: () => `127.0.0.1:${uas.port}` }, register: true, sees: () => account().outboundProxy === `127.0.0.1:${uas.port}` },
  registerinterval: { set: { registerinterval: "600" }, register: true, sees: () => account().registerInterval === 600 },
  sipusername: { set: { sipusername: "auth-sip", authusername: "auth-old" }, register: true, sees: () => account().authUsername === "auth-sip" },
  authusername: { set: { authusername: "auth-only" }, register: true, sees: () => account().authUsername === "auth-only" },
  transport: { set: { transport: "1" }, register: true, sees: () => account().transport === "tcp" },
  codec: { set: { codec: "G.729,PCMA" }, register: true, sees: () => String(account().codecs) === "PCMA" },
  prefcodec: { set: { prefcodec: "pcma" }, register: true, sees: () => String(account().codecs) === "PCMA,PCMU" },
  // each leaves the account's codecs other than the one before it left them
  use_opusnb: { set: { use_opusnb: "3" }, register: true, sees: () => String(account().codecs) === "opus,PCMU,PCMA" },
  use_opuswb: { set: { use_opuswb: "2" }, register: true, sees: () => String(account().codecs) === "PCMU,PCMA,opus" },
  use_opusswb: { set: { use_opusswb: "3", prefcodec: "pcma" }, register: true, sees: () => String(account().codecs) === "PCMA,opus,PCMU" },
  use_opusuwb: { set: { use_opusuwb: "1", codec: "G722" }, register: true, sees: () => String(account().codecs) === "G722,opus" },
  use_opus: { set: { use_opus: "0", codec: "opus,PCMA,PCMU" }, register: true, sees: () => String(account().codecs) === "PCMA,PCMU" },
  use_pcmu: { set: { use_pcmu: "0" }, register: true, sees: () => String(account().codecs) === "PCMA" },
  use_pcma: { set: { use_pcma: "2", codec: "PCMA,G722" }, register: true, sees: () => String(account().codecs) === "G722,PCMA" },
  use_g722: { set: { use_g722: "3" }, register: true, sees: () => String(account().codecs) === "G722,PCMU,PCMA" },
  alwaysallowlowcodec: { set: { alwaysallowlowcodec: "1", codec: "opus" }, register: true, sees: () => String(account().codecs) === "opus,PCMU,PCMA" },
  mediaencryption: { set: { mediaencryption: "2" }, register: true, sees: () => account().mediaEncryption === "mandatory" },
  autohold: { set: { autohold: "0" }, sees: () => settings().autoHold === false },
  autoaccept: { set: { autoaccept: "1" }, sees: () => settings().autoAnswer === true },
  enableautoaccept: { set: { enableautoaccept: "2" }, sees: () => settings().autoAnswerHeaders === true },
  dnd: { set: { dnd: "1" }, sees: () => settings().dnd === true },
  dndaction: { set: { dndaction: "603" }, sees: () => settings().dndAction === "decline" },
  blacklist: { set: { blacklist: "spam, +1 555 0100" }, sees: () => settings().blockList === "spam, +1 555 0100" },
  rejectonbusy: { set: { rejectonbusy: "true" }, sees: () => settings().rejectWhenBusy === true },
  callforwardalways: { set: { callforwardalways: "2001" }, sees: () => settings().forwardAlways === "2001" },
  callforwardonbusy: { set: { callforwardonbusy: "2002" }, sees: () => settings().forwardOnBusy === "2002" },
  callforwardonnoanswer: { set: { callforwardonnoanswer: "2003" }, sees: () => settings().forwardOnNoAnswer === "2003" },
  ringtimeout: { set: { ringtimeout: "20000" }, sees: () => settings().ringTimeout === 20 && settings().ringTimeoutOut === 20 },
  ringtimeoutin: { set: { ringtimeoutin: "25000" }, sees: () => settings().ringTimeout === 25 },
  ringtimeoutout: { set: { ringtimeoutout: "35000" }, sees: () => settings().ringTimeoutOut === 35 },
  calltimeout: { set: { calltimeout: "3600000" }, sees: () => settings().callTimeout === 3600 },
  extraregisteraccounts: { set: { extraregisteraccounts: "127.0.0.1:7,2009,pw" }, register: true, sees: () => (watcher.state.accounts || []).some((a) => a.username === "2009") },
  voicerecording: { set: { voicerecording: "1" }, sees: () => settings().recordCalls === true },
  voicerecformat: { set: { voicerecformat: "2" }, sees: () => settings().recordFormat === "ogg" },
  aec: { set: { aec: "0" }, sees: () => settings().aec === "off" },
  agc: { set: { agc: "1" }, sees: () => settings().agc === "on" },
  denoise: { set: { denoise: "0" }, sees: () => settings().denoise === "off" },
  silencesupress: { set: { silencesupress: "1" }, sees: () => settings().silenceSuppression === "on" },
  voicemailnum: { set: { voicemailnum: "*97" }, sees: () => settings().voicemailNumber === "*97" },
};

before(async () => {
  if (engineRequirements().skip) return;
  engine = await startEngine();
  uas = await startUAS({ ringMs: 50 });
  uas2 = await startUAS({ ringMs: 50 });
  ({ webphone_api: api } = await import("../lib/webphone_api.js"));
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  api.setparameter("engineports", String(engine.port));
  api.setparameter("enginesecure", "0");
  api.setparameter("enginetoken", token);
  api.setparameter("register", "0"); // register() is called by the probes
  for (const [p, v] of Object.entries(base())) api.setparameter(p, v);
  watcher = connect({ ports: [engine.port], secure: false, token });
  await until("both connected", () => api.getStatus().startsWith("STATUS,-1,") && watcher.status === "connected" && settings().maxLines);
});

after(async () => {
  watcher?.close();
  api?.stop();
  uas?.close();
  uas2?.close();
  await new Promise((r) => setTimeout(r, 200));
  await engine?.stop();
});

test("the table's engine parameters are exactly those probed here", engineRequirements(), () => {
  assert.deepEqual(engineParams(), Object.keys(probes).sort());
});

for (const [name, probe] of Object.entries(probes)) {
  test(`${name} reaches the engine`, engineRequirements(), async () => {
    assert.equal(probe.sees(), false, `the engine shows ${name}'s effect before it is set`);
    for (const [p, v] of Object.entries(probe.set)) api.setparameter(p, typeof v === "function" ? v() : v);
    if (probe.register) api.register();
    if (probe.dial) {
      const n = uas.invites.length;
      api.call(uas.uri);
      await until("the INVITE", () => uas.invites.length > n);
      api.hangup(-2);
    }
    try {
      await until(`${name} at the engine`, probe.sees);
    } catch (e) {
      throw new Error(`${e.message}\n${api.getlogs()}\nregistration: ${api.getregfailreason()}`);
    } finally {
      for (const p of Object.keys(probe.set)) api.setparameter(p, base()[p] ?? "NULL");
    }
  });
}
