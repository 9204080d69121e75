// The softphone page's audio settings change the engine's: the microphone's
// processing (echo cancellation, noise suppression, gain control), the tone plan,
// recording every call and its format, and the account's codecs, which are on and
// in what order. Each control is flipped on the page, and the engine, asked by a
// client of its own, reports the change.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";
import { connect } from "../lib/wpservice.js";

let engine, browser;

before(async () => {
  if (requirements().skip) return;
  // An account that never registers: its codecs are what the page changes.
  engine = await startEngine({ account: { server: "127.0.0.1", username: "alice", register: false } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

const until = async (what, pred, ms = 8000) => {
  const deadline = Date.now() + ms;
  let last;
  while (!(await pred((v) => { last = v; }))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test("the page's audio settings change the engine's", requirements(), async () => {
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const engineSide = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await engineSide.ready;
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    const setting = (key, want) => until(`${key} ${JSON.stringify(want)}`, async (seen) => {
      const s = await engineSide.send("settings.get");
      seen(s[key]);
      return s[key] === want;
    });
    const codecs = (want) => until(`codecs ${want}`, async (seen) => {
      const a = await engineSide.send("account.get");
      seen(a.codecs);
      return a.codecs.join(",") === want;
    });

    for (const [id, key] of [["#aec", "aec"], ["#denoise", "denoise"], ["#agc", "agc"]]) {
      await p.selectOption(id, "off");
      await setting(key, "off");
      await p.selectOption(id, "on");
      await setting(key, "on");
    }
    await p.selectOption("#tone-plan", "uk");
    await setting("tonePlan", "uk");
    await p.check("#record-calls");
    await setting("recordCalls", true);
    await p.uncheck("#record-calls");
    await setting("recordCalls", false);
    await p.selectOption("#record-format", "ogg");
    await setting("recordFormat", "ogg");
    await p.selectOption("#record-format", "wav");
    await setting("recordFormat", "wav");

    // The engine's settings changed elsewhere show on the page.
    await engineSide.send("settings.set", { agc: "auto", recordFormat: "ogg" });
    await until("the page to show them", async () => (await p.inputValue("#agc")) === "auto" && (await p.inputValue("#record-format")) === "ogg");

    // Codecs: the account's, in order, then the ones it leaves out.
    const names = () => p.locator("#codecs li").evaluateAll((lis) => lis.map((li) => li.dataset.codec + (li.querySelector("input").checked ? "+" : "-")));
    await until("the codec list", async (seen) => { const n = await names(); seen(n); return n.join(",") === "PCMU+,PCMA+,opus-,G722-"; });
    await p.getByRole("checkbox", { name: "G722 on" }).check();
    await codecs("PCMU,PCMA,G722");
    await p.getByRole("button", { name: "Move G722 up" }).click();
    await codecs("PCMU,G722,PCMA");
    await p.getByRole("button", { name: "Move PCMU down" }).click();
    await codecs("G722,PCMU,PCMA");
    await p.getByRole("checkbox", { name: "PCMA on" }).uncheck();
    await codecs("G722,PCMU");
    await until("the page to follow", async (seen) => { const n = await names(); seen(n); return n.join(",") === "G722+,PCMU+,opus-,PCMA-"; });
  } finally {
    await p.close();
    engineSide.close?.();
  }
});

test("the page's silence suppression follows the engine's and sets it", requirements(), async () => {
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const engineSide = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await engineSide.ready;
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    const setting = (want) => until(`silenceSuppression ${want}`, async (seen) => {
      const s = await engineSide.send("settings.get");
      seen(s.silenceSuppression);
      return s.silenceSuppression === want;
    });
    const shown = (want) => until(`the page to show ${want}`, async (seen) => {
      const v = await p.inputValue("#silenceSuppression");
      seen(v);
      return v === want;
    });

    const control = p.getByRole("combobox", { name: "Silence suppression" });
    assert.match(await p.locator("#silence-hint").textContent(), /comfort noise/);
    assert.match(await control.getAttribute("aria-describedby"), /silence-hint/);
    await shown("auto");
    await control.selectOption("on");
    await setting("on");
    await control.selectOption("off");
    await setting("off");
    await engineSide.send("settings.set", { silenceSuppression: "on" });
    await shown("on");
  } finally {
    await p.close();
    engineSide.close?.();
  }
});
