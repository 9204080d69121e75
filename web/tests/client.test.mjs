// The client library against the real engine, from Node (a program with the
// token, as a CRM back end or a script would use it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { connect, WpsError, COMMANDS } from "../lib/wpservice.js";
import { engineRequirements, startEngine, freePort } from "./harness.mjs";

let engine;
const phones = [];

function open(extra = {}) {
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const phone = connect({ ports: [engine.port], secure: false, token, backoff: { min: 50, max: 400 }, ...extra });
  phones.push(phone);
  return phone;
}

const until = (phone, pred, what, ms = 5000) => new Promise((resolve, reject) => {
  if (pred()) return resolve();
  const t = setTimeout(() => { off(); reject(new Error(`timed out waiting for ${what} (status ${phone.status})`)); }, ms);
  const check = () => { if (pred()) { clearTimeout(t); off(); resolve(); } };
  const offs = [phone.on("state", check), phone.on("status", check)];
  const off = () => offs.forEach((f) => f());
});

before(async () => {
  if (engineRequirements().skip) return;
  engine = await startEngine();
});

after(async () => {
  for (const p of phones) p.close();
  await engine?.stop();
});

test("connects, mirrors the snapshot and runs commands", engineRequirements(), async () => {
  const phone = open();
  const snap = await phone.ready;
  assert.equal(phone.status, "connected");
  assert.equal(phone.engine.engine, "wpservice");
  assert.ok(snap.settings && snap.devices && snap.registration, "snapshot parts");
  assert.equal(phone.state.lines.length, 0);

  const settings = await phone.setSettings({ dtmfDelayMs: 1234 });
  assert.equal(settings.dtmfDelayMs, 1234);
  await until(phone, () => phone.state.settings.dtmfDelayMs === 1234, "settings.changed in the mirror");
});

test("finds the engine on a fallback port", engineRequirements(), async () => {
  const nothing = await freePort(); // nothing listens there
  const phone = open({ ports: [nothing, engine.port] });
  await phone.ready;
  assert.equal(phone.port, engine.port);
});

test("bad commands reject with the protocol's error codes and never throw", engineRequirements(), async () => {
  const phone = open();
  await phone.ready;
  await assert.rejects(phone.send("call.dial", { to: 7 }), (e) => e instanceof WpsError && e.code === "invalid_args");
  await assert.rejects(phone.send("call.fly"), (e) => e.code === "unknown_command");
  await assert.rejects(phone.answer(9), (e) => e.code === "not_found" || e.code === "invalid_args");
  await assert.rejects(phone.selectLine(99), (e) => e.code === "invalid_args" || e.code === "not_found");
  assert.ok(COMMANDS.includes("call.dial"));
});

test("a call's states reach the mirror and the line goes when it ends", engineRequirements(), async () => {
  // A tiny SIP peer that answers every INVITE with 486 Busy Here.
  const sock = dgram.createSocket("udp4");
  await new Promise((r) => sock.bind(0, "127.0.0.1", r));
  sock.on("message", (buf, rinfo) => {
    const msg = buf.toString();
    if (!msg.startsWith("INVITE ")) return;
    const hdr = (name) => (msg.match(new RegExp(`^${name}:.*$`, "mi")) || [""])[0];
    const reply = ["SIP/2.0 486 Busy Here", hdr("Via"), hdr("From"), `${hdr("To")};tag=busy1`, hdr("Call-ID"), hdr("CSeq"),
      "Content-Length: 0", "", ""].join("\r\n");
    sock.send(reply, rinfo.port, rinfo.address);
  });
  try {
    const phone = open();
    await phone.ready;
    const seen = [];
    phone.on("call.state", (c) => seen.push(c.state));
    const { line, callId } = await phone.dial(`sip:bob@127.0.0.1:${sock.address().port}`);
    assert.ok(line >= 1 && callId);
    await until(phone, () => seen.includes("ended"), "the call to end");
    assert.equal(seen[0], "dialing");
    assert.equal(phone.call(callId), undefined, "ended call still in the mirror");
    assert.equal(phone.state.lines.length, 0);
  } finally {
    sock.close();
  }
});

test("reconnects after the engine restarts and resyncs from the new hello", engineRequirements(), async () => {
  const local = await startEngine();
  try {
    const token = readFileSync(path.join(local.dataDir, "token"), "utf8").trim();
    const phone = connect({ ports: [local.port], secure: false, token, backoff: { min: 50, max: 300 } });
    phones.push(phone);
    await phone.ready;
    const statuses = [];
    phone.on("status", (s) => statuses.push(s));
    await phone.setSettings({ dtmfDelayMs: 777 });
    // The engine keeps what settings.set changed; its saved settings are removed while it
    // is down, so it comes back with its defaults: the mirror follows the new hello.
    await local.restart(() => rmSync(path.join(local.dataDir, "settings.json"), { force: true }));
    await until(phone, () => statuses.includes("disconnected") && phone.status === "connected", "reconnect", 15000);
    assert.notEqual(phone.state.settings.dtmfDelayMs, 777);
    assert.equal((await phone.send("status")).settings.dtmfDelayMs, phone.state.settings.dtmfDelayMs);
  } finally {
    await local.stop();
  }
});

test("close() stops for good and rejects what is pending", engineRequirements(), async () => {
  const phone = open();
  await phone.ready;
  phone.close();
  assert.equal(phone.status, "closed");
  await assert.rejects(phone.send("status"), (e) => e.code === "closed");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(phone.status, "closed");
});

test("no engine on the ports: not-running", engineRequirements(), async () => {
  const port = await freePort();
  const phone = connect({ ports: [port], secure: false, token: "x", reconnect: false });
  phones.push(phone);
  await until(phone, () => phone.status === "not-running", "not-running");
  await assert.rejects(phone.send("status"), (e) => e.code === "not_connected");
});
