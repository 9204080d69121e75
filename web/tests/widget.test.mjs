// The click-to-call widget on a customer's page in Chromium: one script tag becomes a
// button that calls (baresip answers), shows the call with its timer, hangs up on a
// second click and shows how the call ended; and it tells the user, in a few words,
// when the engine is not running or the site waits for approval.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, peerRequirements, startEngine, serveSite, launchBrowser, freePort } from "./harness.mjs";
import { startPeers } from "./peers.mjs";

const lib = (f) => readFileSync(path.join(import.meta.dirname, "..", "lib", f), "utf8");
let browser;

before(async () => {
  if (requirements().skip) return;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// A customer's page with the widget's one tag in a sentence, and the widget's two
// files. The page is filled in later (page()), once the engine's port is known.
async function site() {
  const files = { "click2call.js": lib("click2call.js"), "click2call.css": lib("click2call.css") };
  const served = await serveSite(files);
  served.page = (number, port, attrs = "") => {
    files["index.html"] = `<!doctype html><meta charset="utf-8"><title>Acme</title>
<p>Questions? <script src="click2call.js" data-number="${number}" data-label="Call sales" data-ports="${port}" data-secure="0"${attrs} async></script></p>`;
  };
  return served;
}

test("the widget calls on an approved site, baresip answers, and it hangs up on a second click", peerRequirements(), async () => {
  let peers, engine;
  const s = await site();
  try {
    peers = await startPeers({
      kamailio: { users: { bob: "Bob-pw-9" } },
      baresip: { user: "bob", password: "Bob-pw-9", autoAnswer: true, toneHz: 700 },
    });
    // The administrator provisioned the site: no pairing.
    engine = await startEngine({ control: { allowedOrigins: [s.origin] } });
    const callee = `sip:bob@${peers.baresip.sipAddr}`; // baresip itself, no account needed
    s.page(callee, engine.port);
    const p = await browser.newPage();
    await p.goto(s.origin + "/");
    const widget = p.locator(".wps-c2c");
    await p.locator(".wps-c2c[data-status=connected][data-state=idle]").waitFor();
    assert.equal(await p.evaluate(() => document.querySelector(".wps-c2c").previousElementSibling?.tagName), "SCRIPT",
      "the button is where the script tag is");
    const button = p.getByRole("button", { name: "Call sales" });
    assert.equal(await button.textContent(), "Call sales");
    assert.equal(await p.evaluate(() => getComputedStyle(document.querySelector(".wps-c2c-button")).borderRadius), "999px",
      "the stylesheet next to the script is applied");

    await button.click();
    await p.locator(".wps-c2c[data-state=active]").waitFor({ timeout: 15000 });
    await peers.wait("CALL_ESTABLISHED");
    await p.locator(".wps-c2c-button", { hasText: /^Hang up · 0:0[1-9]$/ }).waitFor();

    await p.getByRole("button", { name: `Hang up the call to ${callee}` }).click();
    await peers.wait("CALL_CLOSED");
    await p.locator(".wps-c2c[data-state=ended][data-last=local_hangup]").waitFor();
    assert.match(await widget.locator(".wps-c2c-button").textContent(), /^Call ended · 0:0\d$/);
    await p.locator(".wps-c2c[data-state=idle]").waitFor({ timeout: 8000 });
    assert.equal(await widget.locator(".wps-c2c-button").textContent(), "Call sales");
  } finally {
    await s.close();
    await engine?.stop();
    await peers?.stop();
  }
});

test("the widget tells the user when the engine is not running", requirements(), async () => {
  const s = await site();
  try {
    s.page("1002", await freePort());
    const p = await browser.newPage();
    await p.goto(s.origin + "/");
    await p.locator(".wps-c2c[data-status=not-running] .wps-c2c-msg", { hasText: "not running" }).waitFor();
    assert.equal(await p.getByRole("button", { name: "Call sales" }).isVisible(), true);
  } finally {
    await s.close();
  }
});

test("the widget offers the installer the site configured when the engine is not running", requirements(), async () => {
  const s = await site();
  try {
    s.page("1002", await freePort(), ` data-download="https://crm.example.com/wpservice-setup.exe"`);
    const p = await browser.newPage();
    await p.goto(s.origin + "/");
    const link = p.locator(".wps-c2c[data-status=not-running] .wps-c2c-msg a", { hasText: "Install the phone engine" });
    await link.waitFor();
    assert.equal(await link.getAttribute("href"), "https://crm.example.com/wpservice-setup.exe");
  } finally {
    await s.close();
  }
});

test("the widget waits for approval, then calls once the user allows the site", requirements(), async () => {
  const s = await site();
  let engine;
  try {
    engine = await startEngine();
    s.page("sip:nobody@127.0.0.1:9", engine.port);
    const p = await browser.newPage();
    await p.goto(s.origin + "/");
    await p.locator(".wps-c2c[data-status=pairing] .wps-c2c-msg", { hasText: "Waiting for approval" }).waitFor();
    const admin = await browser.newPage();
    await admin.goto(engine.url + "/");
    await admin.getByRole("button", { name: `Allow ${s.origin}` }).click();
    await p.locator(".wps-c2c[data-status=connected]").waitFor();
    assert.equal(await p.locator(".wps-c2c-msg").textContent(), "");
  } finally {
    await s.close();
    await engine?.stop();
  }
});
