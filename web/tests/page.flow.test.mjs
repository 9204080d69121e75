// The softphone page served from a second loopback origin, against real SIP peers,
// as a user would use it: the site asks and is approved, the account is set up on the
// engine's own page and registers to kamailio (digest auth); on the site's page the
// user calls baresip, sees the call active with its timer and quality badge, sends keypad DTMF that
// baresip receives, records the call, holds and resumes, hangs up; then an incoming call from SIPp
// rings on the site's page and Answer answers it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { peerRequirements, startEngine, launchBrowser, serveSite } from "./harness.mjs";
import { startPeers } from "./peers.mjs";
import { pageFiles } from "./page.site.mjs";

const out = path.join(import.meta.dirname, "output");

// Screenshots of the page at desktop and phone widths, into tests/output/; at 360 px
// nothing may stick out sideways.
async function shoot(p, name) {
  const desktop = p.viewportSize();
  await p.screenshot({ path: path.join(out, `softphone-${name}.png`) });
  await p.setViewportSize({ width: 360, height: 780 });
  await p.screenshot({ path: path.join(out, `softphone-${name}-360.png`) });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
  await p.setViewportSize(desktop);
  assert.ok(overflow <= 360, `the page is ${overflow} px wide at 360 px (${name})`);
}

const until = async (what, pred, ms = 10000) => {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

let peers, engine, browser, sipPort, site;

before(async () => {
  if (peerRequirements().skip) return;
  mkdirSync(out, { recursive: true });
  peers = await startPeers({
    kamailio: { users: { alice: "Alice-pw-7", bob: "Bob-pw-9" } },
    baresip: { user: "bob", password: "Bob-pw-9", autoAnswer: true, toneHz: 700 },
  });
  engine = await startEngine();
  sipPort = engine.sip.udp;
  browser = await launchBrowser();
  // A copy of the softphone page on the customer's own origin, looking for this engine.
  site = await serveSite(pageFiles([engine.port]));
});

after(async () => {
  await browser?.close();
  await site?.close();
  await engine?.stop();
  await peers?.stop();
});

test("pair, register, call baresip, DTMF, hold, hang up; answer a SIPp call", peerRequirements(), async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await ctx.newPage();
  await admin.goto(engine.url + "/");
  await admin.locator("#banner").waitFor({ state: "hidden" });

  // The customer's page asks; the user allows it on the engine's page.
  const p = await ctx.newPage();
  await p.goto(site.origin + "/");
  await p.locator("#banner[data-state=pairing]").waitFor();
  await admin.getByRole("button", { name: `Allow ${site.origin}` }).click();
  await p.locator("#banner").waitFor({ state: "hidden" });

  // Account setup on the engine's own page (an admin connection; the site may not).
  await admin.fill("#acc-server", peers.kamailio.addr);
  await admin.fill("#acc-username", "alice");
  await admin.fill("#acc-password", "Alice-pw-7");
  await admin.check("#acc-register");
  await admin.click("#account button[type=submit]");
  await p.locator("#registration[data-state=registered]").waitFor({ timeout: 15000 });
  assert.match(await p.locator("#registration").textContent(), /^Registered as alice@/);
  assert.ok(!engine.log().includes("Alice-pw-7"), "the password is in the engine's log");
  // The site sees the account, read-only.
  await until("the account on the site's page", async () => (await p.inputValue("#acc-username")) === "alice");
  assert.equal(await p.locator("#acc-username").isDisabled(), true);
  assert.equal(await p.inputValue("#acc-password"), "", "a password is never shown");

  await p.getByText("No call.").waitFor();
  await shoot(p, "idle");

  // Call bob (baresip answers on its own) with the keyboard.
  await p.locator("#number").click();
  await p.keyboard.type("bob");
  await p.keyboard.press("Enter");
  const line = p.locator("li.line[data-state=active]");
  await line.waitFor({ timeout: 15000 });
  assert.match(await line.locator(".peer").textContent(), /to bob/);
  await until("the timer", async () => /^0:0[1-9]$/.test(await line.locator(".timer").textContent()));
  await peers.wait("CALL_ESTABLISHED");
  // The call's quality badge: its MOS on the line, the figures in its tooltip.
  const badge = line.locator(".quality");
  await badge.waitFor({ timeout: 10000 });
  assert.match(await badge.textContent(), /^MOS [1-4]\.\d$/);
  assert.match(await badge.getAttribute("title"), /^MOS \d\.\d\d · loss \d+\.\d % · jitter \d+\.\d ms · RTT (\d+(\.\d)? ms|unknown)$/);
  await shoot(p, "in-call");

  const n = await line.getAttribute("data-line");
  for (const d of ["1", "2", "3"]) await p.getByRole("button", { name: `DTMF ${d}, line ${n}` }).click();
  await until("DTMF at baresip", async () => (await peers.dtmf()) === "123");

  // Record marks the line until Stop recording (the engine writes the file).
  await p.getByRole("button", { name: `Record, line ${n}` }).click();
  await line.locator(".recording").waitFor();
  await p.getByRole("button", { name: `Stop recording, line ${n}` }).click();
  await line.locator(".recording").waitFor({ state: "detached" });

  await p.getByRole("button", { name: `Hold, line ${n}` }).click();
  await p.locator("li.line[data-held=true] .status", { hasText: "On hold" }).waitFor();
  await p.getByRole("button", { name: `Resume, line ${n}` }).click();
  await p.locator("li.line[data-held=false][data-state=active]").waitFor();
  const reinvites = (await peers.events()).filter((e) => e.type === "CALL_REMOTE_SDP");
  assert.ok(reinvites.length >= 2, `baresip saw ${reinvites.length} re-INVITEs`);

  await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
  await peers.wait("CALL_CLOSED");
  await p.getByText("No call.").waitFor();
  const entry = p.locator("#history li", { hasText: "bob" }).first();
  await entry.waitFor();
  assert.match(await entry.textContent(), /↗ bob .* · 0:\d\d$/);

  // An incoming call from SIPp: the page rings, Answer answers, SIPp hangs up.
  await peers.sippCall({ target: `127.0.0.1:${sipPort}`, scenario: "uac", service: "alice", pauseMs: 1500 });
  const ringing = p.locator("li.line.state-ringing, li.line.state-incoming");
  await ringing.waitFor({ timeout: 15000 });
  await until("the title to flash", async () => /^☎ Incoming call from \S/.test(await p.title()));
  await shoot(p, "ringing");
  const m = await ringing.getAttribute("data-line");
  await p.getByRole("button", { name: `Answer, line ${m}` }).click();
  await p.locator("li.line[data-state=active]").waitFor();
  const sipp = await peers.sippWait(20000);
  assert.equal(sipp.exitCode, 0, `SIPp failed:\n${sipp.log}`);
  await p.getByText("No call.").waitFor();
  await ctx.close();
});
