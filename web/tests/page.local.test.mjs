// The softphone page in Chromium, served by the engine: dial with the keyboard,
// the active call with a running timer, keypad DTMF at the callee, hold and resume,
// hang up into the history; an incoming call rings on the page and is answered.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

let engine, browser, sipPort;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  sipPort = engine.sip.udp;
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
    let levels = 0, stats = 0;
    p.on("websocket", (ws) => ws.on("framereceived", (f) => {
      if (String(f.payload).includes('"audio.level"')) levels++;
      if (String(f.payload).includes('"event":"call.stats"')) stats++;
    }));
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.getByText("No call.").waitFor();

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

    // Level events stream in ten times a second; they must not redraw the call's
    // buttons (a redraw between press and release loses the user's click).
    const hold = await p.getByRole("button", { name: `Hold, line ${n}` }).elementHandle();
    const seen = levels;
    await until("more level events", () => levels >= seen + 5);
    assert.equal(await hold.evaluate((b) => b.isConnected), true, "the Hold button was redrawn by level events");
    // Nor may the call's figures, which come every few seconds for the quality badge.
    const seenStats = stats;
    await until("a call.stats event", () => stats > seenStats);
    assert.equal(await hold.evaluate((b) => b.isConnected), true, "the Hold button was redrawn by call.stats");
    for (const d of ["5", "9", "#"]) await p.getByRole("button", { name: `DTMF ${d}, line ${n}` }).click();
    await until("DTMF at the callee", () => uas.digits === "59#");

    await p.getByRole("button", { name: `Hold, line ${n}` }).click();
    await p.locator("li.line[data-held=true] .status", { hasText: "On hold" }).waitFor();
    assert.match(uas.invites.at(-1), /a=sendonly/);
    await p.getByRole("button", { name: `Resume, line ${n}` }).click();
    await p.locator("li.line[data-held=false][data-state=active]").waitFor();

    await p.getByRole("button", { name: `Mute, line ${n}` }).click();
    await p.locator("li.line .status", { hasText: "In call (muted)" }).waitFor();
    await p.getByRole("button", { name: `Unmute, line ${n}` }).click();
    await p.locator("li.line .status", { hasText: /^In call$/ }).waitFor();

    await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
    await p.getByText("No call.").waitFor();
    const entry = p.locator("#history li").first();
    await entry.waitFor();
    assert.equal(await entry.getAttribute("data-direction"), "outgoing");
    assert.equal(await entry.getAttribute("data-cause"), "local_hangup");
    assert.match(await entry.textContent(), /↗ uas .* · 0:0\d$/);
    assert.equal(uas.byes, 1);

    // The history survives a reload, also without anything in the browser's storage
    // (the engine keeps it), and a click calls again.
    await p.evaluate(() => localStorage.clear());
    await p.reload();
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.getByRole("button", { name: "Call uas again" }).first().click();
    await p.locator("li.line[data-state=active]").waitFor();
    await p.getByRole("button", { name: /^Hang up, line / }).click();
    await p.getByText("No call.").waitFor();
    assert.equal(await p.locator("#history li").count(), 2);
    assert.equal(uas.byes, 2);
  } finally {
    await p.close();
    uas.close();
  }
});

test("transfer from the page: blind to the dialer's number, attended between two lines", requirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter");
    const first = p.locator("li.line[data-state=active]");
    await first.waitFor();
    const n = await first.getAttribute("data-line");

    uas.referStatus = "603 Declined"; // refused: the call stays, resumed
    await p.fill("#number", "sip:carol@127.0.0.1:5999");
    await p.getByRole("button", { name: `Transfer, line ${n}` }).click();
    await until("the blind REFER", () => uas.refers.length === 1);
    assert.match(uas.refers[0], /^Refer-To: <sip:carol@127\.0\.0\.1:5999>/m);
    await p.locator(`li.line[data-line="${n}"][data-held=false][data-state=active]`).waitFor();

    uas.referStatus = "202 Accepted";
    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter"); // the consultation; auto-hold holds line n
    const second = p.locator(`li.line[data-state=active]:not([data-line="${n}"])`);
    await second.waitFor();
    const m = await second.getAttribute("data-line");
    await p.getByRole("button", { name: `Transfer to line ${m}, line ${n}` }).click();
    await until("the attended REFER", () => uas.refers.length === 2);
    assert.match(uas.refers[1], /^Refer-To: <sip:uas@127\.0\.0\.1:\d+\?Replaces=[^>]*%3Bto-tag%3Duas1%3Bfrom-tag%3D/m);
    for (const l of [m, n]) await p.getByRole("button", { name: `Hang up, line ${l}` }).click();
    await p.getByText("No call.").waitFor();
  } finally {
    await p.close();
    uas.close();
  }
});

test("conference from the page: Conference joins two lines, Leave conference takes one back", requirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter");
    const first = p.locator("li.line[data-state=active]");
    await first.waitFor();
    const n = await first.getAttribute("data-line");
    assert.equal(await p.getByRole("button", { name: `Conference, line ${n}` }).count(), 0, "no conference with one call");

    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter"); // auto-hold holds line n
    const second = p.locator(`li.line[data-state=active]:not([data-line="${n}"])`);
    await second.waitFor();
    const m = await second.getAttribute("data-line");
    await p.locator(`li.line[data-line="${n}"][data-held=true]`).waitFor();
    await p.getByRole("button", { name: `Conference, line ${m}` }).click(); // from the selected line
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=true][data-held=false]`).waitFor();

    await p.getByRole("button", { name: `Leave conference, line ${n}` }).click();
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=false]`).waitFor();
    await p.locator(`li.line[data-line="${n}"][data-held=true]`).waitFor(); // left, auto-held
    for (const l of [m, n]) await p.getByRole("button", { name: `Hang up, line ${l}` }).click();
    await p.getByText("No call.").waitFor();
  } finally {
    await p.close();
    uas.close();
  }
});

test("the keyboard edits the number anywhere on the page, and the engine's refusal is shown", requirements(), async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.keyboard.type("123");
    assert.equal(await p.inputValue("#number"), "123");
    await p.locator("h1").click(); // away from the field: the page's own keys
    await p.keyboard.press("Backspace");
    assert.equal(await p.inputValue("#number"), "12");
    await p.locator("h1").click();
    await p.keyboard.press("#");
    await p.locator("h1").click();
    await p.keyboard.press("Enter");
    // No account, so a bare number has no server to go to: the engine says so.
    const error = p.locator("#error");
    await error.waitFor();
    assert.match(await error.textContent(), /^Call failed: .+/);
    assert.equal(await p.inputValue("#number"), "12#", "a refused number stays for the user to fix");
    assert.equal(await p.locator("#banner").isHidden(), true, "an error is not a connection problem");
  } finally {
    await p.close();
  }
});

test("a volume slider reaches the engine, and another page sees it", requirements(), async () => {
  const a = await browser.newPage();
  const b = await browser.newPage();
  try {
    const replies = [];
    a.on("websocket", (ws) => ws.on("framereceived", (f) => replies.push(String(f.payload))));
    await a.goto(engine.url + "/");
    await a.locator("#banner").waitFor({ state: "hidden" });
    const before = Number(await a.inputValue("#vol-ringer"));
    const want = before === 80 ? "35" : "80";
    await a.locator("#vol-ringer").fill(want); // fires change, as releasing the slider does
    await until("the engine's answer to devices.volume", () =>
      replies.some((r) => r.includes('"ok":true') && r.includes(`"ringerVolume":${want}`)));
    await b.goto(engine.url + "/");
    await b.locator("#banner").waitFor({ state: "hidden" });
    await until("the other page to show it", async () => (await b.inputValue("#vol-ringer")) === want);
    assert.equal(await b.locator("#vol-ringer").getAttribute("aria-valuetext"), `${want} %`);
  } finally {
    await a.close();
    await b.close();
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
