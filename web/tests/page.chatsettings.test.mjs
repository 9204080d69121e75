// The softphone page's message notifications in Chromium: the two toggles under
// the send box (delivery notifications and read receipts) show the engine's imdn and
// imdnDisplay settings and change them; the engine, asked by a client of its own,
// reports each change, and a change made elsewhere shows on the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";
import { connect } from "../lib/wpservice.js";

let engine, browser;

before(async () => {
  if (requirements().skip) return;
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

test("the page's delivery notifications and read receipts change the engine's", requirements(), async () => {
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const engineSide = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    await engineSide.ready;
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    const setting = (key, want) => until(`${key} ${want}`, async (seen) => {
      const s = await engineSide.send("settings.get");
      seen(s[key]);
      return s[key] === want;
    });
    const shown = (box, want) => until(`the page's ${box} ${want}`, async (seen) => {
      const v = await p.isChecked(box);
      seen(v);
      return v === want;
    });

    const delivery = p.getByRole("checkbox", { name: "Delivery notifications" });
    const receipts = p.getByRole("checkbox", { name: "Read receipts" });
    assert.match(await p.locator("#imdn-hint").textContent(), /arrived.*read/);
    await shown("#imdn", false);
    await shown("#imdn-display", false);

    await delivery.check();
    await setting("imdn", true);
    await receipts.check();
    await setting("imdnDisplay", true);
    await delivery.uncheck();
    await setting("imdn", false);
    assert.equal((await engineSide.send("settings.get")).imdnDisplay, true, "one toggle leaves the other alone");
    await receipts.uncheck();
    await setting("imdnDisplay", false);

    // The engine's settings changed elsewhere show on the page.
    await engineSide.send("settings.set", { imdn: true, imdnDisplay: true });
    await shown("#imdn", true);
    await shown("#imdn-display", true);
    await engineSide.send("settings.set", { imdnDisplay: false });
    await shown("#imdn-display", false);
    await shown("#imdn", true);
  } finally {
    await p.close();
    engineSide.close?.();
  }
});
