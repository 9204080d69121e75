// The facade's play(start, file, looping, toremotepeer) and voicerecord(start): Mizu's
// calls become audio.play / audio.stop and call.record, as a socket playing the engine
// sees them: the file by name, looping and into the call in focus as asked.
import { test } from "node:test";
import assert from "node:assert/strict";

/** An engine that admits any page, with one active call on line 1, and keeps the commands it gets. */
class Engine {
  static sent = [];
  constructor(url) {
    this.url = url;
    queueMicrotask(() => this.onopen?.({}));
  }
  send(text) {
    const msg = JSON.parse(text);
    const reply = (obj) => queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(obj) }));
    if (msg.cmd !== "auth") {
      Engine.sent.push(msg);
      reply({ id: msg.id, ok: true, result: {} });
      return;
    }
    reply({ id: msg.id, ok: true, result: { permission: "control" } });
    const call = { line: 1, callId: "c1", direction: "outgoing", peer: "sip:bob@pbx", peerUser: "bob", state: "active" };
    reply({ seq: 1, event: "hello", data: { protocol: 1, engine: "wpservice", version: "1.0.0", snapshot: { lines: [call], selectedLine: 1 } } });
  }
  close() {}
}

const commandsNamed = (...names) => Engine.sent.filter((m) => names.includes(m.cmd));

test("play and voicerecord send the engine's commands", async () => {
  globalThis.WebSocket = Engine;
  const { webphone_api: api } = await import("../lib/webphone_api.js");
  api.setparameter("autostart", "0");
  assert.equal(api.play(1, "welcome.wav", 0, 0), false, "play before start");
  api.start();
  const deadline = Date.now() + 5000;
  while (!api.isincall() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  try {
    assert.equal(api.play(1, "welcome.wav", 1, true), true);
    assert.equal(api.play(true, "tone.wav"), true);
    assert.equal(api.play(0), true);
    assert.equal(api.play(1, ""), false, "play without a file");
    assert.equal(api.voicerecord(1), true);
    assert.equal(api.voicerecord(0), true);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(commandsNamed("audio.play", "audio.stop", "call.record").map(({ cmd, args }) => ({ cmd, args })), [
      { cmd: "audio.play", args: { file: "welcome.wav", loop: true, toPeer: true, line: 1 } },
      { cmd: "audio.play", args: { file: "tone.wav" } },
      { cmd: "audio.stop", args: undefined },
      { cmd: "call.record", args: { callId: "c1", action: "start" } },
      { cmd: "call.record", args: { callId: "c1", action: "stop" } },
    ]);
  } finally {
    api.stop();
  }
});
