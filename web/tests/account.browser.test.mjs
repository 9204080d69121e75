// A Mizu page that sets up the phone account (setparameter serveraddress, username,
// password, then start()), in Chromium against the real engine: it asks for the
// account permission, the user answers on the engine's own page, and the account is
// set only when the user allowed it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { connect } from "../lib/wpservice.js";
import { requirements, startEngine, serveSite, launchBrowser } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

const web = path.join(import.meta.dirname, "..");
const classic = readFileSync(path.join(web, "lib", "webphone_api.classic.js"), "utf8");

// The page: written only against webphone_api. With ?user=NAME it gives an account on
// the test registrar and starts; without, it only starts.
const mizuPage = (enginePort, registrar) => `<!doctype html><meta charset="utf-8"><title>CRM</title>
<p id="reg">none</p><pre id="events"></pre>
<script>webphone_api = { parameters: { engineports: "${enginePort}", enginesecure: "0", autostart: "0" } };</script>
<script src="webphone_api.classic.js"></script>
<script>
const lines = [];
webphone_api.onEvents((e) => { lines.push(e); document.querySelector("#events").textContent = lines.join("\\n"); });
webphone_api.onRegistered(() => { document.querySelector("#reg").textContent = "registered"; });
webphone_api.onRegisterFailed((why) => { document.querySelector("#reg").textContent = "failed: " + why; });
const user = new URLSearchParams(location.search).get("user");
if (user) {
  webphone_api.setparameter("serveraddress", "${registrar}");
  webphone_api.setparameter("username", user);
  webphone_api.setparameter("password", "pw-" + user);
}
webphone_api.start();
</script>`;

let engine, uas, browser, admin;
const sites = [];

/** A customer site of its own (origin), serving the Mizu page. */
async function newSite() {
  const site = await serveSite({
    "index.html": mizuPage(engine.port, `127.0.0.1:${uas.port}`),
    "webphone_api.classic.js": classic,
  });
  sites.push(site);
  return site;
}

/** The engine's account as a program with the token sees it. */
async function engineAccount() {
  await admin.ready;
  return admin.getAccount();
}

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  uas = await startUAS();
  browser = await launchBrowser();
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  admin = connect({ ports: [engine.port], secure: false, token });
});

after(async () => {
  admin?.close();
  await browser?.close();
  for (const s of sites) await s.close();
  uas?.close();
  await engine?.stop();
});

test("a Mizu page asks to set up the account when it pairs; allowed, it registers", requirements(), async () => {
  const site = await newSite();
  const ctx = await browser.newContext();
  const enginePage = await ctx.newPage();
  await enginePage.goto(engine.url + "/");
  const crm = await ctx.newPage();
  await crm.goto(site.origin + "/?user=agent7");

  const request = enginePage.locator("#pairing-pending li", { hasText: site.origin });
  await request.waitFor();
  const host = new URL(site.origin).host;
  assert.match(await request.textContent(), new RegExp(`${host} wants to set up your phone account`));
  assert.match(await request.textContent(), /send your calls through a server it chooses/);
  await enginePage.getByRole("button", { name: `Allow calls and account setup ${site.origin}` }).click();

  await crm.locator("#reg", { hasText: "registered" }).waitFor();
  const account = await engineAccount();
  assert.equal(account.username, "agent7");
  assert.equal(account.server, `127.0.0.1:${uas.port}`);
  assert.ok(account.hasPassword);
  await enginePage.locator("#pairing-paired li", { hasText: "may place calls and set up your phone account" }).waitFor();
  assert.ok(!engine.log().includes("pw-agent7"), "the password is in the engine's log");
  await ctx.close();
});

test("a site the user allows calls only does not change the account, and the page is told", requirements(), async () => {
  const was = await engineAccount();
  const site = await newSite();
  const ctx = await browser.newContext();
  const enginePage = await ctx.newPage();
  await enginePage.goto(engine.url + "/");
  const crm = await ctx.newPage();
  await crm.goto(site.origin + "/?user=intruder");

  await enginePage.getByRole("button", { name: `Allow calls only ${site.origin}` }).click();
  await crm.locator("#reg", { hasText: "failed: the user did not allow this site to set up the phone account" }).waitFor();
  assert.match(await crm.locator("#events").textContent(), /REGISTER,0,2,Register Failed,.*did not allow this site to set up the phone account/);
  // Not asked a second time: the user has just answered.
  assert.equal(await enginePage.locator("#pairing-pending li").count(), 0);
  const now = await engineAccount();
  assert.equal(now.username, was.username);
  assert.equal(now.server, was.server);
  await enginePage.locator("#pairing-paired li", { hasText: new RegExp(`${site.origin}.*may place and answer calls`) }).waitFor();
  await ctx.close();
});

test("a site paired for calls asks later, when its page brings an account; allowed, it registers", requirements(), async () => {
  const site = await newSite();
  const ctx = await browser.newContext();
  const enginePage = await ctx.newPage();
  await enginePage.goto(engine.url + "/");
  const crm = await ctx.newPage();
  await crm.goto(site.origin + "/");
  const first = enginePage.locator("#pairing-pending li", { hasText: site.origin });
  assert.match(await first.textContent(), /wants to place and answer calls/);
  await enginePage.getByRole("button", { name: `Allow ${site.origin}` }).click();
  await crm.locator("#events", { hasText: "START,api" }).waitFor();

  // Later, the CRM knows the agent's credentials: the page sets them and starts again.
  await crm.goto(site.origin + "/?user=agent8");
  const later = enginePage.locator("#pairing-pending li", { hasText: site.origin });
  await later.waitFor();
  assert.match(await later.textContent(), /wants to set up your phone account/);
  await enginePage.getByRole("button", { name: `Allow account setup ${site.origin}` }).click();
  await crm.locator("#reg", { hasText: "registered" }).waitFor();
  assert.equal((await engineAccount()).username, "agent8");
  await ctx.close();
});
