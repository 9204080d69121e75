// The softphone page in Chromium, served by the engine: dial with the keyboard,
// the active call with a running timer, keypad DTMF at the callee, hold and resume,
// hang up into the history; an incoming call rings on the page and is answered.
// Screenshots of the idle, ringing and in-call page go to tests/output/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, launchBrowser, freePort } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

const out = path.join(import.meta.dirname, "output");
let engine, browser, sipPort;

before(async () => {
  if (requirements().skip) return;
  mkdirSync(out, { recursive: true });
  sipPort = await freePort();
  engine = await startEngine({ sip: { listenIP: "127.0.0.1", udpPort: sipPort, tcpPort: 0 } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

const until = async (what, pred, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test("an outgoing call from the page, start to history", requirements(), async () => {
  const uas = await startUAS({ ringMs: 400 });
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.getByText("No call.").waitFor();
    await p.screenshot({ path: path.join(out, "softphone-idle.png") });

    // Digits typed anywhere on the page land in the number field; Enter calls.
    await p.keyboard.type("12");
    assert.equal(await p.inputValue("#number"), "12");
    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter");
    const line = p.locator("li.line[data-state=active]");
    await line.waitFor();
    assert.match(await line.locator(".peer").textContent(), /to uas/);
    await until("the timer to run", async () => /^0:0[1-9]$/.test(await line.locator(".timer").textContent()));

    const n = await line.getAttribute("data-line");
    for (const d of ["5", "9", "#"]) await p.getByRole("button", { name: `DTMF ${d}, line ${n}` }).click();
    await until("DTMF at the callee", () => uas.digits === "59#");

    await p.getByRole("button", { name: `Hold, line ${n}` }).click();
    await p.locator("li.line[data-held=true] .status", { hasText: "On hold" }).waitFor();
    assert.match(uas.invites.at(-1), /a=sendonly/);
    await p.screenshot({ path: path.join(out, "softphone-in-call.png") });
    await p.getByRole("button", { name: `Resume, line ${n}` }).click();
    await p.locator("li.line[data-held=false][data-state=active]").waitFor();

    await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
    await p.getByText("No call.").waitFor();
    await p.locator("#history li", { hasText: "uas" }).first().waitFor();
    assert.equal(uas.byes, 1);
  } finally {
    await p.close();
    uas.close();
  }
});

test("an incoming call rings on the page and Answer answers it", requirements(), async () => {
  const caller = await startUAS();
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    caller.invite(`127.0.0.1:${sipPort}`, { from: "alice", name: "Alice Caller" });
    const ringing = p.locator("li.line.state-ringing, li.line.state-incoming");
    await ringing.waitFor();
    assert.match(await ringing.locator(".peer").textContent(), /from Alice Caller/);
    await until("the title to flash", async () => /Incoming call from Alice Caller/.test(await p.title()));
    await p.screenshot({ path: path.join(out, "softphone-ringing.png") });
    await p.setViewportSize({ width: 360, height: 780 });
    await p.screenshot({ path: path.join(out, "softphone-ringing-360.png"), fullPage: false });
    await p.setViewportSize({ width: 1280, height: 860 });

    const n = await ringing.getAttribute("data-line");
    await p.getByRole("button", { name: `Answer, line ${n}` }).click();
    await p.locator("li.line[data-state=active]").waitFor();
    await until("the caller to see the answer", () => caller.outgoing.state === "answered");
    await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
    await until("the caller to get the BYE", () => caller.outgoing.state === "ended");
    await p.getByText("No call.").waitFor();
  } finally {
    await p.close();
    caller.close();
  }
});
