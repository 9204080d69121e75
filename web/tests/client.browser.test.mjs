// The client library in Chromium: each connection state a page must tell its user
// apart, and the pairing flow driven by the library itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, serveSite, launchBrowser, freePort } from "./harness.mjs";

const lib = readFileSync(path.join(import.meta.dirname, "..", "lib", "wpservice.js"), "utf8");

// A page that connects with the library and records every status it goes through.
const page = (opts) => `<!doctype html><meta charset="utf-8"><title>site</title>
<p id="status">none</p><button id="connect">Connect</button><script type="module">
import { connect } from "./wpservice.js";
const seen = [];
const phone = connect(${JSON.stringify(opts)});
window.phone = phone;
const show = (s) => { seen.push(s); document.querySelector("#status").textContent = seen.join(" > "); };
show(phone.status);
phone.on("status", show);
document.querySelector("#connect").addEventListener("click", () => phone.connectNow());
</script>`;

const statusHas = (p, s) => p.locator("#status", { hasText: s }).waitFor();

let engine, browser;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

test("pairs through the library, keeps the token, reconnects without asking", requirements(), async () => {
  const site = await serveSite({ "index.html": page({ ports: [engine.port], secure: false }), "wpservice.js": lib });
  try {
    const ctx = await browser.newContext();
    const admin = await ctx.newPage();
    await admin.goto(engine.url + "/");
    const p = await ctx.newPage();
    await p.goto(site.origin + "/");
    await statusHas(p, "pairing");
    const pairing = await p.evaluate(() => window.phone.pairing);
    assert.equal(pairing.origin, site.origin);
    await admin.getByRole("button", { name: `Allow ${site.origin}` }).click();
    await statusHas(p, "connected");
    assert.equal(await p.evaluate(() => window.phone.permission), "control");
    const key = `wpservice.token:127.0.0.1:${engine.port}`;
    assert.match(await p.evaluate((k) => localStorage.getItem(k), key), /^[0-9a-f]{64}$/);
    assert.ok(await p.evaluate(() => Array.isArray(window.phone.state.lines) && window.phone.state.settings !== null));

    await p.reload();
    await statusHas(p, "connected");
    assert.doesNotMatch(await p.locator("#status").textContent(), /pairing/);
    await ctx.close();
  } finally {
    await site.close();
  }
});

test("no engine listening: not-running", requirements(), async () => {
  const port = await freePort();
  const site = await serveSite({ "index.html": page({ ports: [port], secure: false, backoff: { min: 200, max: 500 } }), "wpservice.js": lib });
  try {
    const p = await browser.newPage();
    await p.goto(site.origin + "/");
    await statusHas(p, "not-running");
    await p.close();
  } finally {
    await site.close();
  }
});

test("an engine that refuses the origin: not-approved", requirements(), async () => {
  const closed = await startEngine({ control: { pairing: false } });
  const site = await serveSite({ "index.html": page({ ports: [closed.port], secure: false }), "wpservice.js": lib });
  try {
    const p = await browser.newPage();
    await p.goto(site.origin + "/");
    await statusHas(p, "not-approved");
    assert.doesNotMatch(await p.locator("#status").textContent(), /not-running/);
    await p.close();
  } finally {
    await site.close();
    await closed.stop();
  }
});

test("Local Network Access: a public page waits for a click, and a grant lets it in", requirements(), async () => {
  const site = await serveSite({ "index.html": page({ ports: [engine.port], secure: false }), "wpservice.js": lib }, { https: "crm.test" });
  const lna = await launchBrowser([
    "--host-resolver-rules=MAP crm.test 127.0.0.1, MAP widget.test 127.0.0.1",
    `--ip-address-space-overrides=127.0.0.1:${site.port}=public`,
    "--ignore-certificate-errors",
  ]);
  try {
    const ctx = await lna.newContext({ ignoreHTTPSErrors: true });
    const p = await ctx.newPage();
    await p.goto(site.origin + "/");
    await statusHas(p, "permission-needed");
    // No connection is attempted before the user's gesture.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await p.locator("#status").textContent(), "connecting > permission-needed");

    // The user's click plus the browser's grant (what answering the prompt does).
    await ctx.grantPermissions(["local-network-access"], { origin: site.origin });
    await p.click("#connect");
    await statusHas(p, "pairing");
    await ctx.close();
  } finally {
    await lna.close();
    await site.close();
  }
});

test("Local Network Access: a page that is not a secure context is denied", requirements(), async () => {
  const site = await serveSite({ "index.html": page({ ports: [engine.port], secure: false }), "wpservice.js": lib });
  const lna = await launchBrowser([
    "--host-resolver-rules=MAP crm.test 127.0.0.1",
    `--ip-address-space-overrides=127.0.0.1:${site.port}=public`,
  ]);
  try {
    const p = await lna.newPage();
    await p.goto(`http://crm.test:${site.port}/`);
    await statusHas(p, "permission-denied");
  } finally {
    await lna.close();
    await site.close();
  }
});

test("Local Network Access: a cross-origin iframe without allow=loopback-network is blocked", requirements(), async () => {
  const widget = await serveSite({ "index.html": page({ ports: [engine.port], secure: false }), "wpservice.js": lib }, { https: "widget.test" });
  const top = await serveSite({
    "index.html": `<!doctype html><meta charset="utf-8"><title>crm</title><iframe id="w" src="${widget.origin}/"></iframe>`,
  }, { https: "crm.test" });
  const lna = await launchBrowser([
    "--host-resolver-rules=MAP crm.test 127.0.0.1, MAP widget.test 127.0.0.1",
    `--ip-address-space-overrides=127.0.0.1:${top.port}=public,127.0.0.1:${widget.port}=public`,
    "--ignore-certificate-errors",
  ]);
  try {
    const ctx = await lna.newContext({ ignoreHTTPSErrors: true });
    const p = await ctx.newPage();
    await p.goto(top.origin + "/");
    const frame = p.frameLocator("#w");
    await frame.locator("#status", { hasText: /iframe-blocked|permission-needed/ }).waitFor();
    assert.match(await frame.locator("#status").textContent(), /iframe-blocked/);
    await ctx.close();
  } finally {
    await lna.close();
    await top.close();
    await widget.close();
  }
});

test("probe() finds the engine without opening a WebSocket", requirements(), async () => {
  const nothing = await freePort();
  const site = await serveSite({ "index.html": "<!doctype html><title>probe</title>", "wpservice.js": lib });
  try {
    const p = await browser.newPage();
    await p.goto(site.origin + "/");
    const found = await p.evaluate(async ([a, b]) => {
      const { probe } = await import("./wpservice.js");
      return [await probe({ ports: [a, b], secure: false }), await probe({ ports: [a], secure: false })];
    }, [nothing, engine.port]);
    assert.deepEqual(found[0], { running: true, port: engine.port, secure: false, lna: "granted", framed: false, frameAllowed: null });
    assert.equal(found[1].running, false);
  } finally {
    await site.close();
  }
});
