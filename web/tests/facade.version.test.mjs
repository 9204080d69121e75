// The facade's minserviceversion and enginedownloadurl, against an engine too old for
// the page: a socket that plays an engine of version 1.0.0 (a real engine's version is
// its build's, which a test cannot choose).
import { test } from "node:test";
import assert from "node:assert/strict";

/** An engine of version 1.0.0 that admits any page. */
class OldEngine {
  constructor(url) {
    this.url = url;
    queueMicrotask(() => this.onopen?.({}));
  }
  send(text) {
    const msg = JSON.parse(text);
    if (msg.cmd !== "auth") return;
    const reply = (obj) => queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(obj) }));
    reply({ id: msg.id, ok: true, result: { permission: "control" } });
    reply({ seq: 1, event: "hello", data: { protocol: 1, engine: "wpservice", version: "1.0.0", snapshot: { lines: [] } } });
  }
  close() {}
}

test("minserviceversion above the engine's: the page is told to update, with the site's installer link", async () => {
  globalThis.WebSocket = OldEngine;
  const { webphone_api: api } = await import("../lib/webphone_api.js");
  const shown = [];
  api.onEvent((type, msg) => { if (type === "display") shown.push(msg); });
  api.setparameter("autostart", "0");
  api.setparameter("minserviceversion", "1.2.0");
  api.setparameter("enginedownloadurl", "https://crm.example.com/wpservice-setup.exe");
  api.start();
  const deadline = Date.now() + 5000;
  while (!shown.some((m) => m.includes("1.2.0 or later")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  api.stop();
  assert.ok(shown.includes(",This page needs wpservice 1.2.0 or later; this computer has 1.0.0. Update it from https://crm.example.com/wpservice-setup.exe."),
    `displayed ${JSON.stringify(shown)}`);
});
