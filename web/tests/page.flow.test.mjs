// The softphone page served from a second loopback origin, against real SIP peers,
// as a user would use it: the site asks and is approved, the account is set up on the
// engine's own page and registers to kamailio (digest auth); on the site's page the
// user calls baresip, sees the call active with its timer, sends keypad DTMF that
// baresip receives, holds and resumes, hangs up; then an incoming call from SIPp
// rings on the site's page and Answer answers it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { peerRequirements, startEngine, launchBrowser, freePort, serveSite } from "./harness.mjs";
import { startPeers } from "./peers.mjs";
import { pageFiles } from "./page.site.mjs";

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
  peers = await startPeers({
    kamailio: { users: { alice: "Alice-pw-7", bob: "Bob-pw-9" } },
    baresip: { user: "bob", password: "Bob-pw-9", autoAnswer: true, toneHz: 700 },
  });
  sipPort = await freePort();
  engine = await startEngine({ sip: { listenIP: "127.0.0.1", udpPort: sipPort, tcpPort: 0 } });
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

  // Call bob (baresip answers on its own) with the keyboard.
  await p.fill("#number", "bob");
  await p.press("#number", "Enter");
  const line = p.locator("li.line[data-state=active]");
  await line.waitFor({ timeout: 15000 });
  await until("the timer", async () => /^0:0[1-9]$/.test(await line.locator(".timer").textContent()));
  await peers.wait("CALL_ESTABLISHED");

  const n = await line.getAttribute("data-line");
  for (const d of ["1", "2", "3"]) await p.getByRole("button", { name: `DTMF ${d}, line ${n}` }).click();
  await until("DTMF at baresip", async () => (await peers.dtmf()) === "123");

  await p.getByRole("button", { name: `Hold, line ${n}` }).click();
  await p.locator("li.line[data-held=true] .status", { hasText: "On hold" }).waitFor();
  await p.getByRole("button", { name: `Resume, line ${n}` }).click();
  await p.locator("li.line[data-held=false][data-state=active]").waitFor();
  const reinvites = (await peers.events()).filter((e) => e.type === "CALL_REMOTE_SDP");
  assert.ok(reinvites.length >= 2, `baresip saw ${reinvites.length} re-INVITEs`);

  await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
  await peers.wait("CALL_CLOSED");
  await p.getByText("No call.").waitFor();
  await p.locator("#history li", { hasText: "bob" }).first().waitFor();

  // An incoming call from SIPp: the page rings, Answer answers, SIPp hangs up.
  await peers.sippCall({ target: `127.0.0.1:${sipPort}`, scenario: "uac", service: "alice", pauseMs: 1500 });
  const ringing = p.locator("li.line.state-ringing, li.line.state-incoming");
  await ringing.waitFor({ timeout: 15000 });
  const m = await ringing.getAttribute("data-line");
  await p.getByRole("button", { name: `Answer, line ${m}` }).click();
  await p.locator("li.line[data-state=active]").waitFor();
  const sipp = await peers.sippWait(20000);
  assert.equal(sipp.exitCode, 0, `SIPp failed:\n${sipp.log}`);
  await p.getByText("No call.").waitFor();
  await ctx.close();
});
