// A page written only against the Mizu webphone_api (web/samples/mizu_sample.*),
// unchanged, in Chromium, driving the real engine: it places a call through its own
// buttons, sends DTMF that the callee receives, and hangs up.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, serveSite, launchBrowser } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

const web = path.join(import.meta.dirname, "..");
const file = (...p) => readFileSync(path.join(web, ...p), "utf8");

let engine, site, browser, uas;

before(async () => {
  if (requirements().skip) return;
  // The sample's own files, plus a webphone_config.js naming the engine's test port.
  const files = {
    "mizu_sample.html": file("samples", "mizu_sample.html"),
    "mizu_sample.js": file("samples", "mizu_sample.js"),
    "mizu_sample.css": file("samples", "mizu_sample.css"),
    "webphone_api.classic.js": file("lib", "webphone_api.classic.js"),
    "webphone_config.js": "",
  };
  site = await serveSite(files);
  // The administrator provisions the CRM's origin, so no pairing is involved.
  engine = await startEngine({ control: { adminOrigins: [site.origin] } });
  files["webphone_config.js"] = file("samples", "webphone_config.js") +
    `webphone_api.parameters.engineports = "${engine.port}";\nwebphone_api.parameters.enginesecure = "0";\n`;
  uas = await startUAS({ ringMs: 300 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  uas?.close();
  await site?.close();
  await engine?.stop();
});

test("the Mizu sample page calls, sends DTMF and hangs up, unchanged", requirements(), async () => {
  const p = await browser.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(String(e)));
  await p.goto(site.origin + "/mizu_sample.html");
  await p.locator("#status", { hasText: /Ready|Registered/ }).waitFor();

  await p.fill("#destination", uas.uri);
  await p.click("#call");
  await p.locator("#callstate[data-event=connected]").waitFor();
  assert.match(await p.locator("#callstate").textContent(), /^connected to uas on line \d+$/);
  await p.locator("#status", { hasText: /^In Call/ }).waitFor();

  await p.fill("#digits", "4711");
  await p.click("#senddtmf");
  const deadline = Date.now() + 8000;
  while (uas.digits !== "4711" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(uas.digits, "4711");

  await p.click("#hangup");
  await p.locator("#callstate[data-event=disconnected]").waitFor();
  await p.locator("#cdr", { hasText: /^Last call: uas, \d+ s/ }).waitFor();
  assert.equal(uas.byes, 1);
  assert.deepEqual(errors, []);
});
