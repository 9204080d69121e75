// The click-to-call widget on a customer's page in Chromium: one script tag becomes a
// button that calls, shows the call, and hangs up on a second click.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, serveSite, launchBrowser, freePort } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

const lib = (f) => readFileSync(path.join(import.meta.dirname, "..", "lib", f), "utf8");
let browser;

before(async () => {
  if (requirements().skip) return;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const pageWith = (number, port) => `<!doctype html><meta charset="utf-8"><title>Acme</title>
<p>Questions? <script src="click2call.js" data-number="${number}" data-label="Call sales" data-ports="${port}" data-secure="0" async></script></p>`;

test("the widget calls on an approved site and hangs up on a second click", requirements(), async () => {
  const uas = await startUAS({ ringMs: 300 });
  const files = { "click2call.js": lib("click2call.js"), "click2call.css": lib("click2call.css") };
  const site = await serveSite(files);
  const engine = await startEngine({ control: { allowedOrigins: [site.origin] } });
  files["index.html"] = pageWith(uas.uri, engine.port);
  try {
    const p = await browser.newPage();
    await p.goto(site.origin + "/");
    const widget = p.locator(".wps-c2c");
    await p.locator(".wps-c2c[data-status=connected]").waitFor();
    const button = p.getByRole("button", { name: "Call sales" });
    assert.equal(await button.textContent(), "Call sales");
    assert.equal(await p.evaluate(() => getComputedStyle(document.querySelector(".wps-c2c-button")).borderRadius), "999px", "the stylesheet next to the script is applied");

    await button.click();
    await p.locator(".wps-c2c[data-state=active]").waitFor();
    await p.locator(".wps-c2c-button", { hasText: /^Hang up · 0:0\d$/ }).waitFor();
    await p.getByRole("button", { name: `Hang up the call to ${uas.uri}` }).click();
    await p.locator(".wps-c2c[data-state=idle][data-last=local_hangup]").waitFor();
    assert.equal(await widget.locator(".wps-c2c-button").textContent(), "Call sales");
    assert.equal(uas.byes, 1);
  } finally {
    await site.close();
    await engine.stop();
    uas.close();
  }
});

test("the widget tells the user when the engine is not running", requirements(), async () => {
  const port = await freePort();
  const files = { "click2call.js": lib("click2call.js"), "click2call.css": lib("click2call.css"), "index.html": pageWith("1002", port) };
  const site = await serveSite(files);
  try {
    const p = await browser.newPage();
    await p.goto(site.origin + "/");
    await p.locator(".wps-c2c-msg", { hasText: "not running" }).waitFor();
  } finally {
    await site.close();
  }
});
