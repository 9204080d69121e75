// The softphone page's messages in Chromium, served by the engine: a message that
// came while no page was open is there, counted unread, when the page opens; opening
// its conversation marks it read; a reply from the send box reaches the peer and
// shows as delivered; a message that comes meanwhile appears in the open thread.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";
import { startUAS } from "./sipuas.mjs";

let engine, browser, sipPort, uas;
const out = path.join(import.meta.dirname, "output");

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine();
  sipPort = engine.sip.udp;
  browser = await launchBrowser();
  uas = await startUAS();
});

after(async () => {
  uas?.close();
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

test("conversations, unread counts, a thread and the send box", requirements(), async () => {
  // before any page is open
  uas.message(`127.0.0.1:${sipPort}`, "Bonjour, ça va ? 🙂", { from: "carol" });
  await until("the engine's 200", () => uas.messageAnswers.includes(200));

  const p = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    const carol = p.locator("#conversations li[data-peer='carol@127.0.0.1']");
    await carol.waitFor();
    assert.equal(await carol.getAttribute("data-unread"), "1");
    assert.match(await carol.textContent(), /Bonjour, ça va \? 🙂/);
    await p.locator("#chat-unread", { hasText: "1" }).waitFor();

    // opening the conversation shows its thread and marks it read
    await p.getByRole("button", { name: "Messages with carol@127.0.0.1" }).click();
    await p.locator("#thread li.msg.incoming", { hasText: "Bonjour, ça va ? 🙂" }).waitFor();
    await p.locator("#chat-unread").waitFor({ state: "hidden" });
    assert.equal(await carol.getAttribute("data-unread"), "0");
    assert.equal(await p.inputValue("#chat-to"), "carol@127.0.0.1");

    // a reply from the send box: typed digits stay in the box, not the dialer
    await p.fill("#chat-to", `sip:carol@127.0.0.1:${uas.port}`);
    await p.fill("#chat-text", "Très bien, merci 123");
    await p.press("#chat-text", "Enter");
    await p.locator("#thread li.msg.outgoing[data-state=delivered]", { hasText: "Très bien, merci 123" }).waitFor();
    assert.deepEqual(uas.messages, ["Très bien, merci 123"]);
    assert.equal(await p.inputValue("#chat-text"), "");
    assert.equal(await p.inputValue("#number"), "");

    // a message that comes meanwhile lands in the open thread, read at once
    uas.message(`127.0.0.1:${sipPort}`, "Parfait !", { from: "carol" });
    await p.locator("#thread li.msg.incoming", { hasText: "Parfait !" }).waitFor();
    await until("read", async () => (await carol.getAttribute("data-unread")) === "0" && (await p.locator("#chat-unread").isHidden()));

    // one from someone else is counted on its own conversation
    uas.message(`127.0.0.1:${sipPort}`, "Hi from Dave", { from: "dave" });
    const dave = p.locator("#conversations li[data-peer='dave@127.0.0.1']");
    await dave.waitFor();
    assert.equal(await dave.getAttribute("data-unread"), "1");
    await p.locator("#chat-unread", { hasText: "1" }).waitFor();
    assert.equal(await p.locator("#thread li.msg", { hasText: "Hi from Dave" }).count(), 0);

    // a long word in a thread wraps: at a phone's width nothing sticks out sideways
    uas.message(`127.0.0.1:${sipPort}`, "x".repeat(400), { from: "carol" });
    await p.locator("#thread li.msg.incoming", { hasText: "xxxx" }).waitFor();
    mkdirSync(out, { recursive: true });
    await p.locator(".card.chat").screenshot({ path: path.join(out, "softphone-chat.png") });
    await p.setViewportSize({ width: 360, height: 780 });
    await p.locator(".card.chat").screenshot({ path: path.join(out, "softphone-chat-360.png") });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `the page is ${overflow} px wide at 360 px`);
  } finally {
    await p.close();
  }
});
