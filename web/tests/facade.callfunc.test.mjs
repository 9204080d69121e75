// The facade's getavailablecallfunc: Mizu's comma list of what a call can do, from an
// engine that does transfers, conferences, forwarding and DTMF besides mute and hold.
// A socket plays the engine: the list depends only on the connection and parameters.
import { test } from "node:test";
import assert from "node:assert/strict";

/** An engine that admits any page, with no call; it keeps no messages. */
class Engine {
  constructor(url) {
    this.url = url;
    queueMicrotask(() => this.onopen?.({}));
  }
  send(text) {
    const msg = JSON.parse(text);
    const reply = (obj) => queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(obj) }));
    if (msg.cmd !== "auth") {
      reply({ id: msg.id, ok: true, result: {} });
      return;
    }
    reply({ id: msg.id, ok: true, result: { permission: "control" } });
    reply({ seq: 1, event: "hello", data: { protocol: 1, engine: "wpservice", version: "1.0.0", snapshot: { lines: [], chat: this.chat } } });
  }
  close() {}
}

/** The same engine, which sends and keeps instant messages. */
class ChatEngine extends Engine {
  chat = true;
}

/** Starts the facade on the engine the page's WebSocket reaches, and waits until it is connected. */
async function started(api) {
  api.start();
  const deadline = Date.now() + 5000;
  while (api.getavailablecallfunc().startsWith("ERROR") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

test("getavailablecallfunc: not started, then every call function, less those turned off", async () => {
  globalThis.WebSocket = Engine;
  const { webphone_api: api } = await import("../lib/webphone_api.js");
  api.setparameter("autostart", "0");
  assert.equal(api.getavailablecallfunc(), "ERROR, webphone is not yet started");
  api.start();
  const deadline = Date.now() + 5000;
  while (api.getavailablecallfunc().startsWith("ERROR") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  try {
    assert.equal(api.getavailablecallfunc(), "conference,transfer,mute,hold,forward,dtmf");
    api.setparameter("transfertype", "0");
    assert.equal(api.getavailablecallfunc(), "conference,mute,hold,forward,dtmf");
    api.setparameter("conferencetype", "0");
    assert.equal(api.getavailablecallfunc(), "mute,hold,forward,dtmf");
    api.setparameter("transfertype", "1");
    api.setparameter("conferencetype", "");
    assert.equal(api.getavailablecallfunc(), "conference,transfer,mute,hold,forward,dtmf");
  } finally {
    api.stop();
  }
});

test("getavailablecallfunc: chat after hold where the engine sends and keeps messages", async () => {
  globalThis.WebSocket = ChatEngine;
  const { webphone_api: api } = await import("../lib/webphone_api.js");
  api.setparameter("autostart", "0");
  await started(api);
  try {
    assert.equal(api.getavailablecallfunc(), "conference,transfer,mute,hold,chat,forward,dtmf");
    api.setparameter("transfertype", "0");
    assert.equal(api.getavailablecallfunc(), "conference,mute,hold,chat,forward,dtmf");
  } finally {
    api.setparameter("transfertype", "");
    api.stop();
  }
});
