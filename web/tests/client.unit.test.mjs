// The client library's protocol logic against a hand-written fake WebSocket: the
// cases the real engine makes hard to reach on demand (a stale token, a rate
// limit, another program on a port, a lagged session, events that race the hello).
// Everything else is tested against the real engine in client.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, olderThan, WpsError } from "../lib/wpservice.js";
import { freePort } from "./harness.mjs";

/** A WebSocket the test drives: it records what the client sends and plays the engine's part. */
class FakeSocket {
  static waiting = [];
  static made = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.read = 0;
    this.closedWith = null;
    this.sendWaiters = [];
    FakeSocket.made.push(this);
    FakeSocket.waiting.shift()?.(this);
  }

  /** The next socket the client opens (or the one it already opened and nobody took). */
  static next() {
    const idle = FakeSocket.made.find((s) => !s.taken);
    if (idle) {
      idle.taken = true;
      return Promise.resolve(idle);
    }
    return new Promise((resolve) => FakeSocket.waiting.push((s) => {
      s.taken = true;
      resolve(s);
    }));
  }

  static reset() {
    FakeSocket.waiting = [];
    FakeSocket.made = [];
  }

  send(text) {
    const msg = JSON.parse(text);
    this.sent.push(msg);
    const waiter = this.sendWaiters.shift();
    if (waiter) {
      this.read++;
      waiter(msg);
    }
  }

  close(code = 1000, reason = "") {
    this.closedWith ??= { code, reason };
  }

  /** The next message the client sent that the test has not read yet. */
  nextSent() {
    if (this.read < this.sent.length) return Promise.resolve(this.sent[this.read++]);
    return new Promise((resolve) => this.sendWaiters.push(resolve));
  }

  // The engine's side.
  open() { this.onopen?.({}); }
  receive(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
  drop(code = 1006, reason = "") { this.onclose?.({ code, reason }); }
  refuse() {
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: "" });
  }
}

/** A Map behind the Storage methods the client uses. */
class MemoryStorage {
  map = new Map();
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

const snapshot = (over = {}) => ({
  account: { server: "", username: "" },
  registration: { state: "unregistered" },
  lines: [],
  selectedLine: 1,
  devices: { backend: "null", inputs: [], outputs: [] },
  settings: { dtmfDelayMs: 100 },
  ...over,
});
const hello = (seq, over) => ({ seq, event: "hello", data: { protocol: 1, engine: "wpservice", version: "test", snapshot: snapshot(over) } });
const call = (line, callId, state) => ({ line, callId, state, direction: "outgoing", peer: "sip:bob@127.0.0.1" });

/** A phone on the fake socket; the test closes it. */
function fakePhone(t, extra = {}) {
  FakeSocket.reset();
  const phone = connect({ WebSocket: FakeSocket, ports: [18620], secure: false, backoff: { min: 1, max: 20 }, storage: new MemoryStorage(), ...extra });
  t.after(() => phone.close());
  return phone;
}

/** Opens the next socket as a provisioned origin: auth ok, then hello. */
async function admit(phone, seq = 10, over) {
  const ws = await FakeSocket.next();
  ws.open();
  const auth = await ws.nextSent();
  assert.equal(auth.cmd, "auth");
  ws.receive({ id: auth.id, ok: true, result: { origin: "http://127.0.0.1:8080", permission: "control" } });
  ws.receive(hello(seq, over));
  return ws;
}

const statusBecomes = (phone, s) => (phone.status === s ? Promise.resolve() : new Promise((resolve) => {
  const off = phone.on("status", (now) => { if (now === s) { off(); resolve(); } });
}));

test("a stale stored token is dropped, pairing is asked, and the new token is kept", async (t) => {
  const storage = new MemoryStorage();
  const key = "wpservice.token:127.0.0.1:18620";
  storage.setItem(key, "old");
  const phone = fakePhone(t, { storage });
  const ws = await FakeSocket.next();
  assert.equal(ws.url, "ws://127.0.0.1:18620/ws");
  ws.open();

  const first = await ws.nextSent();
  assert.deepEqual(first.args, { token: "old" });
  const second = ws.nextSent();
  ws.receive({ id: first.id, ok: false, error: { code: "unauthorized", message: "wrong token" } });
  assert.deepEqual((await second).args, { token: "" });
  assert.equal(storage.getItem(key), null, "the stale token is forgotten");

  const request = { id: "r1", origin: "https://crm.example.com", time: "2026-11-22T09:00:00Z", expires: "2026-11-22T09:02:00Z" };
  ws.receive({ id: (await second).id, ok: false, error: { code: "pairing_required", message: "approve", data: request } });
  assert.equal(phone.status, "pairing");
  assert.deepEqual(phone.pairing, request);

  ws.receive({ seq: 0, event: "paired", data: { origin: request.origin, token: "new", permission: "control" } });
  ws.receive(hello(3));
  const snap = await phone.ready;
  assert.equal(phone.status, "connected");
  assert.equal(phone.pairing, null);
  assert.equal(phone.permission, "control");
  assert.equal(storage.getItem(key), "new");
  assert.equal(snap.selectedLine, 1);
});

test("a program's token goes in the URL and no auth is sent", async (t) => {
  const phone = fakePhone(t, { token: "a b" });
  const ws = await FakeSocket.next();
  assert.equal(ws.url, "ws://127.0.0.1:18620/ws?token=a%20b");
  ws.open();
  ws.receive(hello(1));
  await phone.ready;
  assert.deepEqual(ws.sent, []);
});

test("rate_limited and a policy close: not-approved, with the reason in lastError", async (t) => {
  const phone = fakePhone(t);
  const ws = await FakeSocket.next();
  ws.open();
  const auth = await ws.nextSent();
  ws.receive({ id: auth.id, ok: false, error: { code: "rate_limited", message: "too many tries" } });
  ws.drop(1008, "rate limited");
  await statusBecomes(phone, "not-approved");
  assert.ok(phone.lastError instanceof WpsError);
  assert.equal(phone.lastError.code, "rate_limited");
});

test("a close 1008 while pairing (denied): not-approved", async (t) => {
  const phone = fakePhone(t);
  const ws = await FakeSocket.next();
  ws.open();
  const auth = await ws.nextSent();
  ws.receive({ id: auth.id, ok: false, error: { code: "pairing_required", message: "approve", data: { id: "r" } } });
  assert.equal(phone.status, "pairing");
  ws.drop(1008, "pairing denied");
  await statusBecomes(phone, "not-approved");
  assert.equal(phone.lastError.code, "forbidden");
  assert.equal(phone.lastError.message, "pairing denied", "the engine's close reason");
  assert.equal(phone.pairing, null, "no request is pending any more");
});

test("a port whose hello is not wpservice is left for the next one", async (t) => {
  const phone = fakePhone(t, { ports: [18620, 18621] });
  const other = await FakeSocket.next();
  other.open();
  other.receive({ id: (await other.nextSent()).id, ok: true, result: {} });
  other.receive({ seq: 1, event: "hello", data: { engine: "something-else", snapshot: snapshot({ selectedLine: 9 }) } });
  assert.ok(other.closedWith, "the foreign socket is closed");

  const ws = await FakeSocket.next();
  assert.equal(ws.url, "ws://127.0.0.1:18621/ws");
  ws.open();
  ws.receive({ id: (await ws.nextSent()).id, ok: true, result: { permission: "control" } });
  ws.receive(hello(1));
  await phone.ready;
  assert.equal(phone.port, 18621);
  assert.equal(phone.state.selectedLine, 1);
  other.drop(1000); // a late close of the abandoned socket changes nothing
  assert.equal(phone.status, "connected");
  assert.deepEqual(await sendAndAnswer(phone, ws, "status", { ok: 1 }), { ok: 1 });
});

/** Sends cmd through the phone and answers it on ws with result. */
async function sendAndAnswer(phone, ws, cmd, result) {
  const reply = phone.send(cmd);
  const sent = await ws.nextSent();
  assert.equal(sent.cmd, cmd);
  ws.receive({ id: sent.id, ok: true, result });
  return reply;
}

test("the mirror: stale events are ignored, later ones applied, ended calls removed", async (t) => {
  const phone = fakePhone(t);
  const ws = await admit(phone, 10, { lines: [call(2, "c2", "active")] });
  await phone.ready;
  let changes = 0;
  phone.on("state", () => changes++);
  const seenStates = [];
  phone.on("call.state", (c, raw) => seenStates.push([c.state, raw.seq]));

  const steps = [
    { name: "an event older than the hello", ev: { seq: 9, event: "line.selected", data: { line: 4 } }, check: () => phone.state.selectedLine === 1, changes: 0 },
    { name: "line.selected", ev: { seq: 11, event: "line.selected", data: { line: 2 } }, check: () => phone.state.selectedLine === 2, changes: 1 },
    { name: "a new call", ev: { seq: 12, event: "call.state", data: call(1, "c1", "dialing") }, check: () => phone.state.lines.map((c) => c.line).join() === "1,2", changes: 2 },
    { name: "its next state", ev: { seq: 13, event: "call.state", data: call(1, "c1", "ringing") }, check: () => phone.call("c1").state === "ringing", changes: 3 },
    { name: "reg.state", ev: { seq: 14, event: "reg.state", data: { state: "registered", expires: 60 } }, check: () => phone.state.registration.state === "registered", changes: 4 },
    { name: "settings.changed", ev: { seq: 15, event: "settings.changed", data: { dtmfDelayMs: 5 } }, check: () => phone.state.settings.dtmfDelayMs === 5, changes: 5 },
    { name: "devices.changed", ev: { seq: 16, event: "devices.changed", data: { backend: "alsa", inputs: [], outputs: [] } }, check: () => phone.state.devices.backend === "alsa", changes: 6 },
    { name: "account.changed", ev: { seq: 17, event: "account.changed", data: { server: "pbx", username: "1001" } }, check: () => phone.state.account.username === "1001", changes: 7 },
    { name: "the call ends", ev: { seq: 18, event: "call.state", data: call(1, "c1", "ended") }, check: () => phone.call("c1") === undefined && phone.call(2)?.callId === "c2", changes: 8 },
    { name: "a log line leaves the mirror alone", ev: { seq: 19, event: "log", data: { message: "x" } }, check: () => phone.state.lines.length === 1, changes: 8 },
  ];
  for (const s of steps) {
    ws.receive(s.ev);
    assert.ok(s.check(), s.name);
    assert.equal(changes, s.changes, `state events after: ${s.name}`);
  }
  assert.deepEqual(seenStates, [["dialing", 12], ["ringing", 13], ["ended", 18]]);
});

test("the mirror keeps contacts' states by account and number, and each account's voicemail box", async (t) => {
  const phone = fakePhone(t);
  const ws = await admit(phone, 10, {
    presence: [{ number: "2001", state: "Available" }],
    mwi: { waiting: false, new: 0, old: 1 },
    mwiAccounts: [{ account: "2", waiting: true, new: 4, old: 0 }],
  });
  await phone.ready;
  assert.deepEqual(phone.state.mwiAccounts, [{ account: "2", waiting: true, new: 4, old: 0 }]);
  ws.receive({ seq: 11, event: "presence.state", data: { number: "2001", account: "2", state: "Offline" } });
  ws.receive({ seq: 12, event: "presence.state", data: { number: "2000", state: "Away" } });
  ws.receive({ seq: 13, event: "presence.state", data: { number: "2001", state: "Busy" } });
  assert.deepEqual(phone.state.presence, [
    { number: "2000", state: "Away" },
    { number: "2001", state: "Busy" },
    { number: "2001", account: "2", state: "Offline" },
  ]);
  ws.receive({ seq: 14, event: "blf.state", data: { number: "2001", account: "2", lamp: "ringing" } });
  ws.receive({ seq: 15, event: "blf.state", data: { number: "2001", lamp: "idle" } });
  assert.deepEqual(phone.state.blf.map((b) => `${b.account || ""}:${b.lamp}`), [":idle", "2:ringing"]);
  ws.receive({ seq: 16, event: "mwi.state", data: { account: "2", waiting: true, new: 5, old: 1 } });
  ws.receive({ seq: 17, event: "mwi.state", data: { account: "3", waiting: false, new: 0, old: 0 } });
  assert.deepEqual(phone.state.mwi, { waiting: false, new: 0, old: 1 }, "another account's box left the default's alone");
  assert.deepEqual(phone.state.mwiAccounts.map((m) => `${m.account}:${m.new}`), ["2:5", "3:0"]);
});

test("a lagged session reconnects and the new hello replaces the mirror", async (t) => {
  const phone = fakePhone(t);
  const ws = await admit(phone, 5, { lines: [call(1, "c1", "active")] });
  await phone.ready;
  const pending = phone.send("status");
  const statuses = [];
  phone.on("status", (s) => statuses.push(s));

  ws.receive({ seq: 6, event: "session.lagged", data: null });
  ws.drop(1013, "lagged");
  await assert.rejects(pending, (e) => e instanceof WpsError && e.code === "disconnected");
  assert.equal(phone.status, "disconnected");

  await admit(phone, 40, { lines: [], selectedLine: 3 });
  await statusBecomes(phone, "connected");
  assert.deepEqual(phone.state.lines, []);
  assert.equal(phone.state.selectedLine, 3);
  assert.deepEqual(statuses.slice(0, 1), ["disconnected"]);
  assert.equal(statuses.at(-1), "connected");
});

test("send: not_connected at once, or waits with {wait: true}", async (t) => {
  const phone = fakePhone(t);
  await assert.rejects(phone.send("status"), (e) => e.code === "not_connected");
  const waited = phone.send("status", undefined, { wait: true });
  const ws = await admit(phone);
  const sent = await ws.nextSent();
  assert.equal(sent.cmd, "status");
  ws.receive({ id: sent.id, ok: false, error: { code: "invalid_state", message: "no", data: { x: 1 } } });
  await assert.rejects(waited, (e) => e instanceof WpsError && e.code === "invalid_state" && e.data.x === 1);
});

test("the conveniences send the protocol's arguments", async (t) => {
  const phone = fakePhone(t);
  const ws = await admit(phone);
  await phone.ready;
  const cases = [
    [() => phone.dial("1002", { line: 2, headers: { "X-Id": "7" } }), "call.dial", { to: "1002", line: 2, headers: { "X-Id": "7" } }],
    [() => phone.dial("1002"), "call.dial", { to: "1002" }],
    [() => phone.answer(), "call.answer", {}],
    [() => phone.answer(3), "call.answer", { line: 3 }],
    [() => phone.reject("c1", 603), "call.reject", { callId: "c1", code: 603 }],
    [() => phone.hangup({ all: true }), "call.hangup", { all: true }],
    [() => phone.hangup({ line: 2 }), "call.hangup", { line: 2 }],
    [() => phone.dtmf(12, 1), "call.dtmf", { line: 1, digits: "12" }],
    [() => phone.mute(1, "c1"), "call.mute", { callId: "c1", mute: true }],
    [() => phone.hold(false), "call.hold", { hold: false }],
    [() => phone.ignore(2), "call.ignore", { line: 2 }],
    [() => phone.selectLine(2), "line.select", { line: 2 }],
    [() => phone.setAccount({ server: "pbx" }), "account.set", { server: "pbx" }],
    [() => phone.getAccount(), "account.get", undefined],
    [() => phone.register(), "register", undefined],
    [() => phone.unregister(), "unregister", undefined],
    [() => phone.setSettings({ autoAnswer: true }), "settings.set", { autoAnswer: true }],
    [() => phone.listDevices(), "devices.list", undefined],
    [() => phone.selectDevices({ input: "a" }), "devices.select", { input: "a" }],
    [() => phone.setVolume({ ringer: 30 }), "devices.volume", { ringer: 30 }],
    [() => phone.subscribe({ levels: true }), "events.subscribe", { log: false, sipTrace: false, levels: true }],
  ];
  for (const [run, cmd, args] of cases) {
    const next = ws.nextSent();
    const reply = run();
    const sent = await next;
    assert.equal(sent.cmd, cmd);
    assert.deepEqual(sent.args, args, cmd);
    ws.receive({ id: sent.id, ok: true, result: { echoed: cmd } });
    assert.deepEqual(await reply, { echoed: cmd });
  }
});

test("a subscription is sent again after every hello", async (t) => {
  const phone = fakePhone(t, { subscribe: { levels: true } });
  let ws = await admit(phone);
  assert.deepEqual((await ws.nextSent()).args, { levels: true });
  ws.drop(1006);
  ws = await admit(phone);
  assert.deepEqual((await ws.nextSent()).args, { levels: true });
});

test("close() during the backoff: no new socket, pending and ready reject", async (t) => {
  const phone = fakePhone(t, { backoff: { min: 60000, max: 60000 } });
  const ready = phone.ready;
  const ws = await FakeSocket.next();
  ws.refuse(); // nothing on the only port: not-running, then a long backoff
  await statusBecomes(phone, "not-running");
  const made = FakeSocket.made.length;
  phone.close();
  assert.equal(phone.status, "closed");
  await assert.rejects(ready, (e) => e.code === "closed");
  await assert.rejects(phone.send("status"), (e) => e.code === "closed");
  phone.connectNow(); // after close(), nothing happens
  await new Promise((r) => setImmediate(r));
  assert.equal(FakeSocket.made.length, made);
});

test("a refused port with nothing behind it is not-running; with a server behind it, not-approved", async (t) => {
  const empty = await freePort();
  const phone = fakePhone(t, { ports: [empty], reconnect: false });
  (await FakeSocket.next()).refuse();
  await statusBecomes(phone, "not-running");

  // A real HTTP server answers /health (as the engine does, even with a 403).
  const { createServer } = await import("node:http");
  const srv = createServer((_, res) => { res.writeHead(403); res.end("forbidden"); });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => srv.close());
  const refused = fakePhone(t, { ports: [srv.address().port], reconnect: false });
  (await FakeSocket.next()).refuse();
  await statusBecomes(refused, "not-approved");
  assert.equal(refused.lastError.code, "forbidden");
});

test("olderThan compares dotted versions; a developer's build is never too old", () => {
  for (const [v, min, want] of [
    ["1.2.0", "1.3", true], ["1.3", "1.3.0", false], ["1.10.0", "1.9.9", false], ["v2.0.1", "2.0.1", false],
    ["1.4.0-rc1", "1.4.0", true], ["1.4.0", "1.4.0-rc1", false], ["dev", "9.9", false], ["a6437da-dirty", "1.0", false],
    ["1.0.0", "", false],
  ]) assert.equal(olderThan(v, min), want, `olderThan(${v}, ${min})`);
});

test("an engine older than minVersion: update-needed with the download link, then connected once updated", async (t) => {
  const url = "https://crm.example.com/wpservice-setup.exe";
  const phone = fakePhone(t, { minVersion: "1.4.0", downloadUrl: url });
  assert.equal(phone.downloadUrl, url);
  const old = await FakeSocket.next();
  old.open();
  old.receive({ id: (await old.nextSent()).id, ok: true, result: { permission: "control" } });
  old.receive({ seq: 1, event: "hello", data: { protocol: 1, engine: "wpservice", version: "1.3.9", snapshot: snapshot() } });
  await statusBecomes(phone, "update-needed");
  assert.ok(old.closedWith, "the old engine's socket is closed");
  assert.equal(phone.lastError.code, "update_needed");
  assert.deepEqual(phone.lastError.data, { version: "1.3.9", minVersion: "1.4.0", downloadUrl: url });
  assert.equal(phone.engine.version, "1.3.9");

  const updated = await FakeSocket.next(); // the client looks again, slowly
  updated.open();
  updated.receive({ id: (await updated.nextSent()).id, ok: true, result: { permission: "control" } });
  updated.receive({ seq: 1, event: "hello", data: { protocol: 1, engine: "wpservice", version: "1.4.0", snapshot: snapshot() } });
  await phone.ready;
  assert.equal(phone.status, "connected");
});
