// The softphone page's call-center parts in Chromium, against the engine and a SIP
// agent on 127.0.0.1: a transfer's progress on the line's card, the question when
// the peer asks us to call another party (call.referred), the conference's Hold
// all / Resume all / Split, and a second incoming call marked as call waiting.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";
import { connect } from "../lib/wpservice.js";

let engine, browser, admin, sipPort;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  sipPort = engine.sip.udp;
  browser = await launchBrowser();
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  admin = connect({ ports: [engine.port], secure: false, token });
  await admin.ready;
});

after(async () => {
  admin?.close();
  await browser?.close();
  await engine?.stop();
});

const header = (msg, name) => (msg.match(new RegExp(`^(?:${name}):\\s*(.*)$`, "mi")) || [])[1]?.trim() || "";

/**
 * Sends requests in the dialog of the engine's first INVITE to uas, as the callee:
 * a REFER (the peer transfers us) or a NOTIFY (the progress of our REFER).
 */
async function calleeDialog(uas) {
  const sock = dgram.createSocket("udp4");
  await new Promise((r) => sock.bind(0, "127.0.0.1", r));
  const invite = uas.invites[0];
  const target = header(invite, "Contact|m").match(/<([^>]+)>/)[1];
  const [, host, port] = target.match(/@([^:;>]+):(\d+)/);
  let cseq = 100;
  const send = (method, extra, body = "") => {
    const msg = [`${method} ${target} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bK-${method}-${cseq};rport`,
      "Max-Forwards: 70", `From: ${header(invite, "To|t")};tag=uas1`, `To: ${header(invite, "From|f")}`,
      `Call-ID: ${header(invite, "Call-ID|i")}`, `CSeq: ${++cseq} ${method}`, `Contact: <sip:uas@127.0.0.1:${uas.port}>`,
      ...extra, `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
    sock.send(msg, Number(port), host);
  };
  return {
    refer: (to) => send("REFER", [`Refer-To: <${to}>`]),
    notify: (referCSeq, status, state = "active") => send("NOTIFY",
      [`Event: refer;id=${referCSeq}`, `Subscription-State: ${state}`, "Content-Type: message/sipfrag"], `SIP/2.0 ${status}\r\n`),
    close: () => sock.close(),
  };
}

/** Opens the engine's page and dials uas; answers the page and the line's number. */
async function callFromPage(uas) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await p.goto(engine.url + "/");
  await p.locator("#banner").waitFor({ state: "hidden" });
  await p.fill("#number", uas.uri);
  await p.press("#number", "Enter");
  const line = p.locator("li.line[data-state=active]");
  await line.waitFor();
  return { p, n: await line.getAttribute("data-line") };
}

// hangUpAll ends the page's calls one by one: each click re-renders the lines, so
// a button found before it may be gone by the time it would be clicked.
const hangUpAll = async (p) => {
  const buttons = p.getByRole("button", { name: /^(Hang up|Reject), line / });
  for (let left = await buttons.count(); left > 0; left = await buttons.count()) {
    await buttons.first().click().catch(() => {});
    await buttons.nth(left - 1).waitFor({ state: "detached" });
  }
  await p.getByText("No call.").waitFor();
};

test("a transfer's progress shows on its line: refused, then trying and ringing", requirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const { p, n } = await callFromPage(uas);
  const dialog = await calleeDialog(uas);
  const status = p.getByRole("status", { name: `Transfer, line ${n}` });
  try {
    uas.referStatus = "603 Declined";
    await p.fill("#number", "sip:carol@127.0.0.1:5999");
    await p.getByRole("button", { name: `Transfer, line ${n}` }).click();
    await status.filter({ hasText: "transfer failed: 603 Declined" }).waitFor();

    uas.referStatus = "202 Accepted";
    await p.getByRole("button", { name: `Transfer, line ${n}` }).click();
    await status.filter({ hasText: "transferring to carol…" }).waitFor();
    const referCSeq = header(uas.refers.at(-1), "CSeq").split(" ")[0];
    dialog.notify(referCSeq, "180 Ringing");
    await status.filter({ hasText: "transfer: carol ringing" }).waitFor();
    dialog.notify(referCSeq, "486 Busy Here", "terminated;reason=noresource");
    await status.filter({ hasText: "transfer failed: 486 Busy Here" }).waitFor();
    await p.locator(`li.line[data-line="${n}"][data-state=active]`).waitFor(); // the call stays
  } finally {
    await hangUpAll(p).catch(() => {});
    dialog.close();
    await p.close();
    uas.close();
  }
});

test("the peer asks us to call another party: Decline, Call, and the question goes with its call", requirements(), async () => {
  await admin.setSettings({ transferIncoming: "ask" });
  const uas = await startUAS({ ringMs: 50 });
  const { p, n } = await callFromPage(uas);
  const dialog = await calleeDialog(uas);
  const question = p.getByRole("alertdialog", { name: "uas asks you to call carol" });
  try {
    assert.equal(await p.locator("#referrals").isHidden(), true, "no question before a REFER");
    dialog.refer("sip:carol@127.0.0.1:5999");
    await question.waitFor();
    await p.getByRole("button", { name: "Decline, uas asks you to call carol" }).click();
    await question.waitFor({ state: "detached" });
    assert.equal(await p.locator("#referrals").isHidden(), true);
    await p.locator(`li.line[data-line="${n}"][data-state=active]`).waitFor(); // declined: the call stays

    dialog.refer(uas.uri); // accepted: the engine calls the target, uas again, on a line of its own
    const again = p.getByRole("alertdialog", { name: "uas asks you to call uas" });
    await again.waitFor();
    await p.getByRole("button", { name: "Call, uas asks you to call uas" }).click();
    await again.waitFor({ state: "detached" });
    await p.locator(`li.line[data-state=active]:not([data-line="${n}"])`).waitFor(); // the target's call
    assert.equal(await p.locator("#referrals").isHidden(), true);

    dialog.refer("sip:carol@127.0.0.1:5999");
    await question.waitFor();
    await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
    await question.waitFor({ state: "detached" }); // the call ended: nothing left to answer
  } finally {
    await admin.setSettings({ transferIncoming: "accept" });
    await hangUpAll(p).catch(() => {});
    dialog.close();
    await p.close();
    uas.close();
  }
});

test("conference controls: Hold all, Resume all, Split, shown only with a conference", requirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const { p, n } = await callFromPage(uas);
  const bar = p.getByRole("group", { name: "Conference" });
  try {
    await p.fill("#number", uas.uri);
    await p.press("#number", "Enter"); // auto-hold holds line n
    const second = p.locator(`li.line[data-state=active]:not([data-line="${n}"])`);
    await second.waitFor();
    const m = await second.getAttribute("data-line");
    assert.equal(await bar.isHidden(), true, "no conference yet");
    await p.getByRole("button", { name: `Conference, line ${m}` }).click();
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=true][data-held=false]`).waitFor();
    await bar.waitFor();
    assert.equal(await bar.getByRole("button", { name: "Resume all" }).isHidden(), true, "nothing held to resume");

    await bar.getByRole("button", { name: "Hold all" }).click();
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=true][data-held=true]`).waitFor();
    await bar.getByRole("button", { name: "Hold all" }).waitFor({ state: "hidden" });
    await bar.getByRole("button", { name: "Resume all" }).click();
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=true][data-held=false]`).waitFor();

    await bar.getByRole("button", { name: "Split" }).click();
    for (const l of [n, m]) await p.locator(`li.line[data-line="${l}"][data-conference=false]`).waitFor();
    await bar.waitFor({ state: "hidden" });
  } finally {
    await hangUpAll(p).catch(() => {});
    await p.close();
    uas.close();
  }
});

test("a call that rings during a call says it is call waiting", requirements(), async () => {
  const uas = await startUAS({ ringMs: 50 });
  const caller = await startUAS();
  const { p, n } = await callFromPage(uas);
  try {
    caller.invite(`127.0.0.1:${sipPort}`, { from: "dave", name: "Dave" });
    const waiting = p.locator(`li.line[data-state=ringing]:not([data-line="${n}"]) .waiting`);
    await waiting.waitFor();
    assert.equal(await waiting.textContent(), " · call waiting");
    await p.getByRole("button", { name: `Hang up, line ${n}` }).click();
    await waiting.waitFor({ state: "detached" }); // alone, it is an ordinary incoming call
    await p.locator("li.line[data-state=ringing]").waitFor();
  } finally {
    await hangUpAll(p).catch(() => {});
    await p.close();
    caller.close();
    uas.close();
  }
});
