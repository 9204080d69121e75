// The softphone page's call policies, in Chromium on the engine's own page, against
// SIPp: a ringing call forwarded to the number typed in the dial field (SIPp checks
// the 302's Contact), and do not disturb, switched on the page, declining the next
// call without ringing it (SIPp expects the 603); both land in the history.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";
import { connect } from "../lib/wpservice.js";

let peers, engine, browser, sipPort;

before(async () => {
  if (peerRequirements().skip) return;
  peers = await startPeers({});
  engine = await startEngine();
  sipPort = engine.sip.udp;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
});

test("forward a ringing call from the page; do not disturb declines the next", peerRequirements(), async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const watcher = connect({ ports: [engine.port], secure: false, token });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.getByText("No call.").waitFor();

    // A call rings; the user types where it goes and presses Forward.
    await peers.sippCall({ target: `127.0.0.1:${sipPort}`, scenario: "uac_forwarded.xml", service: "alice" });
    const ringing = p.locator("li.line.state-ringing");
    await ringing.waitFor({ timeout: 15000 });
    const n = await ringing.getAttribute("data-line");
    await p.fill("#number", "sip:voicemail@pbx.invalid");
    await p.getByRole("button", { name: `Forward, line ${n}` }).click();
    await p.getByText("No call.").waitFor();
    let sipp = await peers.sippWait(20000);
    assert.equal(sipp.exitCode, 0, `SIPp did not get the 302 to voicemail:\n${sipp.log}`);
    await p.locator("#history li", { hasText: "forwarded" }).first().waitFor();

    // Do not disturb, on the page; it declines (603, set by another client) without ringing.
    await watcher.ready;
    await watcher.setSettings({ dndAction: "decline" });
    const dnd = p.getByRole("button", { name: "Do not disturb" });
    assert.equal(await dnd.getAttribute("aria-pressed"), "false");
    await dnd.click();
    await p.locator("#dnd[aria-pressed=true]").waitFor();
    assert.equal(watcher.state.settings?.dnd ?? (await watcher.send("settings.get")).dnd, true);
    await peers.sippCall({ target: `127.0.0.1:${sipPort}`, scenario: "uac_declined.xml", service: "alice" });
    sipp = await peers.sippWait(20000);
    assert.equal(sipp.exitCode, 0, `SIPp was not declined:\n${sipp.log}`);
    await p.locator("#history li", { hasText: "refused" }).first().waitFor();
    assert.equal(await p.locator("li.line").count(), 0, "the declined call rang on the page");

    await dnd.click();
    await p.locator("#dnd[aria-pressed=false]").waitFor();
  } finally {
    watcher.close();
    await p.close();
  }
});
