// The webphone_api facade against the real engine, from Node: what a page written
// for the Mizu WebPhone sees, through the same function names and callbacks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { engineRequirements, startEngine } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";
import { connect } from "../lib/wpservice.js";

let engine, api;
const events = [];     // onEvent("event", ...) notifications
const calls = [];      // onCallStateChange arguments
const cdrs = [];
const appStates = [];

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
  // wpservice's own parameters: where the engine is, and (for a program, never a page) its token.
  api.setparameter("engineports", String(engine.port));
  api.setparameter("enginesecure", "0");
  api.setparameter("enginetoken", readFileSync(path.join(engine.dataDir, "token"), "utf8").trim());
  api.onAppStateChange((s) => appStates.push(s));
  api.onEvent((type, msg) => { if (type === "event") events.push(msg); });
  api.onCallStateChange((...a) => calls.push(a));
  api.onCdr((...a) => cdrs.push(a));
});

after(async () => {
  api?.stop();
  await new Promise((r) => setTimeout(r, 200));
  await engine?.stop();
});

test("loads, starts by itself and answers as the ns engine", engineRequirements(), async () => {
  await until("started", () => appStates.includes("started"));
  assert.deepEqual(appStates.slice(0, 2), ["loaded", "started"]);
  assert.equal(api.getenginename(), "ns");
  assert.match(api.getStatus(), /^STATUS,-1,(Ready|Initializing|Registered)/);
  assert.ok(events.includes("START,api") && events.includes("START,sip"));
});

test("autohold reaches the engine's autoHold setting", engineRequirements(), async () => {
  await until("started", () => appStates.includes("started"));
  // A second client watches the engine's settings.
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const watcher = connect({ ports: [engine.port], secure: false, token });
  const setting = () => watcher.state.settings?.autoHold;
  await until("the engine's default", () => setting() === true);
  try {
    api.setparameter("autohold", "0");
    await until("autoHold off", () => setting() === false);
    api.setparameter("autohold", "3"); // Mizu: incoming and outgoing calls
    await until("autoHold on", () => setting() === true);
  } finally {
    api.setparameter("autohold", "NULL");
    watcher.close();
  }
});

test("no function ever throws, whatever it is given", engineRequirements(), () => {
  const names = Object.keys(api).filter((k) => typeof api[k] === "function" && !k.startsWith("on"));
  assert.ok(names.length > 60, `only ${names.length} functions`);
  const argSets = [[], [undefined], [null], [{}], ["x", 99, -5], [-2], ["\r\n", true, () => {}]];
  for (const name of names) {
    if (["stop", "delsettings"].includes(name)) continue; // would end the session under test
    for (const args of argSets) {
      assert.doesNotThrow(() => api[name](...args), `${name}(${args.map(String)})`);
    }
  }
});

test("parameters: names trimmed and case-insensitive, NULL clears, allowempty honoured", engineRequirements(), () => {
  assert.equal(api.setparameter("DisplayName ", "Agent 7"), true);
  assert.equal(api.getparameter("displayname"), "Agent 7");
  assert.equal(api.setparameter("displayname", "", false), false);
  assert.equal(api.getparameter("displayname"), "Agent 7");
  api.setparameter("displayname", "NULL");
  assert.equal(api.getparameter("displayname"), "");
  assert.equal(api.getparameter("never-set"), "");
});

test("an outgoing call: callbacks, line getters, DTMF, hold and the CDR", engineRequirements(), async () => {
  const uas = await startUAS({ ringMs: 300 });
  try {
    calls.length = 0;
    cdrs.length = 0;
    api.setsipheader("X-CRM-Id: 42");
    assert.equal(api.call(uas.uri), true);
    await until("connected", () => calls.some((c) => c[0] === "connected"));
    const seq = calls.map((c) => c[0]);
    assert.deepEqual(seq.slice(0, 3), ["setup", "ringing", "connected"]);
    const [, direction, peername, , line, callid] = calls.find((c) => c[0] === "connected");
    assert.equal(direction, 1);
    assert.equal(peername, "uas");
    assert.ok(line >= 1);
    assert.match(uas.invites[0], /^X-CRM-Id: 42$/m, "setsipheader header in the INVITE");
    assert.equal(api.isincall(), true);
    assert.equal(api.getline(), line);
    assert.equal(api.linetocallid(line), callid);
    assert.equal(api.callidtoline(callid), line);
    assert.match(api.getlinedetails(line), new RegExp(`^LINEDETAILS,${line},InCall,${callid.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")},uas,`));
    assert.match(api.getsipmessage(0, 4, null, true), /^SIP\/2\.0 200 OK/);
    assert.match(api.getsipheader("Contact", null, true), /sip:uas@127\.0\.0\.1/);

    assert.equal(api.dtmf("12#"), true);
    await until("DTMF at the peer", () => uas.digits === "12#");

    assert.equal(api.hold(true), true);
    await until("on hold", () => api.isonhold());
    assert.match(uas.invites.at(-1), /a=sendonly/);
    api.hold(false);
    await until("resumed", () => !api.isonhold());

    const status = events.filter((e) => e.startsWith(`STATUS,${line},`));
    assert.ok(status.some((e) => e.split(",")[2] === "CallConnect"), "one-time CallConnect STATUS");
    for (const e of status) assert.equal(e.split(",").length, 15, `STATUS with every positional field: ${e}`);

    assert.equal(api.hangup(), true);
    await until("disconnected", () => calls.some((c) => c[0] === "disconnected"));
    await until("the CDR", () => cdrs.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cdrs.length, 1, "one CDR per call");
    const [caller, called, connecttime, duration, cdrDir, , , cdrLine, cdrCallid] = cdrs[0];
    assert.equal(called, "uas");
    assert.equal(typeof caller, "string");
    assert.ok(connecttime >= 250 && duration > 0, `connecttime ${connecttime}, duration ${duration}`);
    assert.deepEqual([cdrDir, cdrLine, cdrCallid], [1, line, callid]);
    assert.match(api.getlastcalldetails(), /^Line: \d+ , Direction: outgoing/);
    assert.ok(events.some((e) => e.startsWith(`CDR,${line},uas,`)));
    assert.equal(api.isincall(), false);
    assert.equal(uas.byes, 1);
  } finally {
    api.setsipheader("");
    uas.close();
  }
});

test("a busy callee: setup, then disconnected with the SIP reason", engineRequirements(), async () => {
  const uas = await startUAS({ mode: "busy" });
  try {
    calls.length = 0;
    cdrs.length = 0;
    api.call(uas.uri);
    await until("disconnected", () => calls.some((c) => c[0] === "disconnected"));
    assert.deepEqual(calls.map((c) => c[0]), ["setup", "disconnected"]);
    await until("the CDR", () => cdrs.length === 1);
    assert.match(cdrs[0][6], /486/);
    assert.equal(cdrs[0][3], 0, "never connected: duration 0");
  } finally {
    uas.close();
  }
});

test("listcallhistory answers from the engine's history, calls made while the page was away included", engineRequirements(), async () => {
  const uas = await startUAS({ ringMs: 100 });
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const other = connect({ ports: [engine.port], secure: false, token });
  const entries = () => (api.listcallhistory() || "").split("\r\n").filter(Boolean).map((l) => l.split("\t"));
  try {
    // the calls of the tests above: the answered one and the busy one, newest first
    await until("the earlier calls", () => entries().some((e) => e[5].startsWith("486")));
    const busy = entries().findIndex((e) => e[2] === "uas" && e[5].startsWith("486"));
    const answered = entries().findIndex((e) => e[2] === "uas" && Number(e[4]) > 0);
    assert.ok(busy >= 0 && answered > busy, `history:\n${api.listcallhistory()}`);
    assert.deepEqual([entries()[busy][0], entries()[busy][4]], ["0", "0"]);
    assert.ok(Number(entries()[answered][3]) > 1.7e12, "date in unix ms");

    // the page goes away; another client calls; the page comes back and lists that call
    api.stop();
    await until("stopped", () => appStates.at(-1) === "stopped");
    await other.ready;
    const { callId } = await other.dial(uas.uri);
    await until("active", () => other.call(callId)?.state === "active");
    await new Promise((r) => setTimeout(r, 300)); // some talk time
    await other.hangup({ all: true });
    await until("ended", () => !other.call(callId));
    const before = entries().length;
    api.start();
    await until("started again", () => appStates.at(-1) === "started");
    await until("the call made while the page was away", () => entries().length > before);
    const [type, , number, date, duration, reason] = entries()[0];
    assert.deepEqual([type, number, reason], ["0", "uas", "local_hangup"]);
    assert.ok(Number(duration) >= 250 && Number(date) > 1.7e12, `duration ${duration}, date ${date}`);
  } finally {
    other.close();
    uas.close();
  }
});

test("transfer: blind to a number, '' between two lines with Replaces, transfertype 0 off", engineRequirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  try {
    calls.length = 0;
    const connected = () => calls.filter((c) => c[0] === "connected").length;
    api.call(uas.uri);
    await until("first call connected", () => connected() === 1);
    assert.equal(api.transfer(""), false, "'' needs two calls");
    api.setparameter("transfertype", "0");
    assert.equal(api.transfer("carol"), false, "transfertype 0: transfers off");
    api.setparameter("transfertype", "");

    uas.referStatus = "603 Declined"; // the blind transfer fails and the call stays
    assert.equal(api.transfer("sip:carol@127.0.0.1:5999"), true);
    await until("the blind REFER", () => uas.refers.length === 1);
    assert.match(uas.refers[0], /^Refer-To: <sip:carol@127\.0\.0\.1:5999>/m);
    await until("resumed after the refusal", () => !api.isonhold());

    uas.referStatus = "202 Accepted";
    api.call(uas.uri); // a consultation on a second line; auto-hold holds the first
    await until("second call connected", () => connected() === 2);
    assert.equal(api.transfer(""), true);
    await until("the attended REFER", () => uas.refers.length === 2);
    const first = uas.invites.find((m) => !/^To:.*;tag=/m.test(m));
    const second = uas.invites.filter((m) => !/^To:.*;tag=/m.test(m))[1];
    const callId = (m) => m.match(/^Call-ID: (.*)$/m)[1].trim();
    assert.equal(callId(uas.refers[1]), callId(first), "the REFER goes on the held first call");
    assert.match(uas.refers[1], new RegExp(`^Refer-To: <sip:uas@127\\.0\\.0\\.1:${uas.port}\\?Replaces=${encodeURIComponent(callId(second))}%3Bto-tag%3Duas1%3Bfrom-tag%3D`, "m"));
  } finally {
    api.hangup(-2);
    await until("no call left", () => !api.isincall()).catch(() => {});
    uas.close();
  }
});

test("conference: '' joins the calls, a line number removes one, a number dials into it, ('', false) splits", engineRequirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const other = connect({ ports: [engine.port], secure: false, token });
  const members = () => other.state.lines.filter((c) => c.conference).map((c) => c.line).sort();
  const active = () => other.state.lines.filter((c) => c.state === "active").length;
  try {
    await other.ready;
    api.call(uas.uri);
    await until("first call active", () => active() === 1);
    assert.equal(api.conference(""), false, "'' needs two calls");
    api.call(uas.uri); // auto-hold holds the first
    await until("second call active", () => active() === 2);
    assert.equal(api.conference(""), true);
    await until("both lines conferenced and none held", () => members().length === 2 && other.state.lines.every((c) => !c.held));

    assert.equal(api.conference(uas.uri), true, "dials a third party into the conference");
    await until("the third party joined", () => members().length === 3);
    assert.ok(other.state.lines.every((c) => !c.held), "dialing into the conference holds no member");

    assert.equal(api.conference("3", false), true);
    await until("line 3 left", () => members().join() === "1,2");
    assert.equal(api.conference("", false), true);
    await until("split", () => members().length === 0);
    assert.equal(api.conference("", false), false, "no conference to split");
    api.setparameter("conferencetype", "0");
    assert.equal(api.conference(""), false, "conferencetype 0: conferences off");
    api.setparameter("conferencetype", "");
  } finally {
    api.hangup(-2);
    await until("no call left", () => !api.isincall()).catch(() => {});
    other.close();
    uas.close();
  }
});

test("webphone_api.d.ts declares exactly the functions the object has", engineRequirements(), () => {
  const dts = readFileSync(path.join(import.meta.dirname, "..", "lib", "webphone_api.d.ts"), "utf8");
  const body = dts.slice(dts.indexOf("export interface WebphoneAPI"), dts.indexOf("export declare const"));
  const declared = new Set([...body.matchAll(/^\s{2}(\w+)[(:]/gm)].map((m) => m[1]).filter((n) => n !== "parameters"));
  const actual = new Set(Object.keys(api).filter((k) => typeof api[k] === "function"));
  assert.deepEqual([...actual].filter((n) => !declared.has(n)).sort(), [], "functions without a declaration");
  assert.deepEqual([...declared].filter((n) => !actual.has(n)).sort(), [], "declarations without a function");
});

test("features of later versions answer their documented failure values", engineRequirements(), () => {
  for (const name of ["transfer", "forward", "conference", "checkpresence", "checkblf", "voicerecord", "registerex"]) {
    assert.equal(api[name]("1234", "x"), false, name);
  }
  assert.match(api.jvoip("API_Call", ["1234"]), /^ERROR/);
  assert.equal(api.nextcallid(), "");
  assert.equal(api.getrtcpeerconnection(), null);
  assert.equal(api.mute(true, 1), false, "muting the speaker is not supported");
  assert.equal(api.listcontacts(), null);
});

test("mediaencryption reaches the account, and isencrypted reports the call's SRTP", engineRequirements(), async () => {
  const regStates = [];
  api.onRegStateChange((s) => regStates.push(s));
  const plain = await startUAS({ ringMs: 50 });
  const srtp = await startUAS({ ringMs: 50, srtp: true });
  const callTo = async (uas) => {
    calls.length = 0;
    const registers = uas.registers || 0;
    api.setparameter("serveraddress", `127.0.0.1:${uas.port}`);
    api.register();
    await until("registered", () => regStates.at(-1) === "registered" && uas.registers > registers);
    assert.equal(api.call("uas"), true);
    await until("connected", () => calls.some((c) => c[0] === "connected"));
    const encrypted = api.isencrypted();
    api.hangup();
    await until("disconnected", () => calls.some((c) => c[0] === "disconnected"));
    return { encrypted, offer: uas.invites.at(-1) };
  };
  try {
    api.setparameter("username", "agent");
    api.setparameter("password", "secret");
    api.setparameter("mediaencryption", "1"); // SRTP when the peer takes it

    const taken = await callTo(srtp);
    assert.match(taken.offer, /^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/m, "the INVITE offers an SDES key");
    assert.equal(taken.encrypted, 1, "SRTP on UDP: partially encrypted");

    const refused = await callTo(plain);
    assert.match(refused.offer, /^a=crypto:/m);
    assert.equal(refused.encrypted, 0, "the peer answered plain RTP: not encrypted");

    api.setparameter("mediaencryption", "0");
    const off = await callTo(plain);
    assert.doesNotMatch(off.offer, /^a=crypto:/m, "mediaencryption 0 offers plain RTP");
  } finally {
    api.unregister();
    await until("unregistered", () => regStates.at(-1) === "unregistered").catch(() => {});
    for (const p of ["serveraddress", "username", "password", "mediaencryption"]) api.setparameter(p, "NULL");
    api.onRegStateChange(null);
    plain.close();
    srtp.close();
  }
});
