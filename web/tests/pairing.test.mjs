// The pairing flow in a real browser: a customer site asks to use the phone,
// the user allows it on the engine's own page, the site gets its token, comes
// back with it, and is thrown out when the user revokes it.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, serveSite, launchBrowser } from "./harness.mjs";

// A minimal integration written against the raw protocol: it authenticates with
// the token it kept, asks for pairing when it has none, and shows what happens.
const crmPage = (enginePort) => `<!doctype html><meta charset="utf-8"><title>CRM</title>
<p id="state">starting</p><script type="module">
const history = [];
const state = (s) => { history.push(s); document.querySelector("#state").textContent = history.join(" > "); };
const ws = new WebSocket("ws://127.0.0.1:${enginePort}/ws");
ws.onopen = () => ws.send(JSON.stringify({ id: "auth", cmd: "auth", args: { token: localStorage.getItem("wpToken") || "" } }));
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id === "auth" && !msg.ok) state(msg.error.code);
  if (msg.event === "paired") localStorage.setItem("wpToken", msg.data.token);
  if (msg.event === "hello") state("ready");
};
ws.onclose = (e) => state("closed " + e.code);
</script>`;

const out = path.join(import.meta.dirname, "output");
let engine, site, browser;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  site = await serveSite({ "index.html": crmPage(engine.port) });
  browser = await launchBrowser();
  mkdirSync(out, { recursive: true });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await engine?.stop();
});

test("a site is approved on the engine's page, keeps its token, and is revoked", requirements(), async () => {
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await admin.goto(engine.url + "/");
  await admin.getByText("No site is waiting for approval.").waitFor();

  const crm = await ctx.newPage();
  await crm.goto(site.origin + "/");
  await crm.locator("#state", { hasText: "pairing_required" }).waitFor();

  // The engine's page shows the request with its origin, and the Allow button.
  const request = admin.locator("#pairing-pending li", { hasText: site.origin });
  await request.waitFor();
  assert.match(await request.textContent(), /asked .* wants to place and answer calls/);
  await admin.screenshot({ path: path.join(out, "pairing-request.png") });
  await admin.getByRole("button", { name: `Allow ${site.origin}` }).click();

  await crm.locator("#state", { hasText: "ready" }).waitFor();
  const token = await crm.evaluate(() => localStorage.getItem("wpToken"));
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.ok(!engine.log().includes(token), "the token is in the engine's log");
  await admin.locator("#pairing-paired li", { hasText: site.origin }).waitFor();

  // Back later with the token: straight in, no new request.
  await crm.reload();
  await crm.locator("#state", { hasText: "ready" }).waitFor();
  assert.doesNotMatch(await crm.locator("#state").textContent(), /pairing_required/);
  assert.equal(await admin.locator("#pairing-pending li").count(), 0);

  // Revoked: the live connection is closed with 1008, the token no longer works.
  await admin.getByRole("button", { name: `Revoke ${site.origin}` }).click();
  await crm.locator("#state", { hasText: "closed 1008" }).waitFor();
  await crm.reload();
  await crm.locator("#state", { hasText: /unauthorized|closed 1008/ }).waitFor();
});

test("a site the user denies is closed and may not ask again at once", requirements(), async () => {
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await admin.goto(engine.url + "/");
  const other = await serveSite({ "index.html": crmPage(engine.port) });
  try {
    const crm = await ctx.newPage();
    await crm.goto(other.origin + "/");
    await crm.locator("#state", { hasText: "pairing_required" }).waitFor();
    await admin.getByRole("button", { name: `Deny ${other.origin}` }).click();
    await crm.locator("#state", { hasText: "closed 1008" }).waitFor();
    await crm.reload();
    await crm.locator("#state", { hasText: "rate_limited" }).waitFor();
  } finally {
    await other.close();
  }
});
