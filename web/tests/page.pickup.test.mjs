// The softphone page's line of an outgoing call someone else's phone picked up
// while it rang (RFC 3891 section 7.1), in Chromium on the engine's own page: the
// engine calls a callee that only rings; SIPp, as the picker carol, sends the engine
// an INVITE with Replaces naming that early dialog; the same line goes active,
// shows carol as its peer and says it was picked up by her.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";
import { startUAS } from "./sipuas.mjs";
import { connect } from "../lib/wpservice.js";

let peers, engine, browser, sipPort, callee;

before(async () => {
  if (peerRequirements().skip) return;
  peers = await startPeers({});
  engine = await startEngine();
  sipPort = engine.sip.udp;
  browser = await launchBrowser();
  callee = await startUAS({ mode: "ring" });
});

after(async () => {
  callee?.close();
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
});

/** The value of a header of a SIP message, and the tag of a From or To value. */
const headerValue = (msg, name) => (msg.match(new RegExp(`^(?:${name}):\\s*(.*)$`, "mi")) || [])[1]?.trim() || "";
const tagOf = (value) => (/;tag=([^;>\s]+)/i.exec(value) || [])[1] || "";

test("a ringing call picked up elsewhere shows the picker and says so", peerRequirements(), async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const watcher = connect({ ports: [engine.port], secure: false, token });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await watcher.ready;

    const { line } = await watcher.dial(callee.uri);
    const ringing = p.locator(`li.line[data-line="${line}"][data-state=ringing]`);
    await ringing.waitFor({ timeout: 15000 });
    assert.match(await ringing.locator(".peer").textContent(), /to uas/);
    assert.equal(await ringing.locator(".picked-up").count(), 0, "a ringing call is picked up by nobody yet");

    // The early dialog the picker names: the INVITE's Call-ID, our tag, the callee's.
    const invite = callee.invites[0];
    const replaces = `${headerValue(invite, "Call-ID|i")};to-tag=${tagOf(headerValue(invite, "From|f"))};from-tag=uas1`;
    await peers.sippCall({ target: `127.0.0.1:${sipPort}`, scenario: "uac_pickup.xml", service: "alice", keys: { replaces } });

    const picked = p.locator(`li.line[data-line="${line}"][data-state=active]`);
    await picked.waitFor({ timeout: 15000 });
    assert.equal(await picked.locator(".picked-up").textContent(), " · picked up by carol");
    assert.match(await picked.locator(".peer").textContent(), /to carol/);

    const sipp = await peers.sippWait(20000);
    assert.equal(sipp.exitCode, 0, `the picker's call did not go through:\n${sipp.log}`);
    await p.getByText("No call.").waitFor();
  } finally {
    watcher.close();
    await p.close();
  }
});
