// The softphone page in Chromium lists the accounts besides the default one with
// their registration; the engine's own page (admin) adds and removes them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { requirements, startEngine, launchBrowser } from "./harness.mjs";

let engine, browser;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine({ account: { server: "127.0.0.1:9", username: "agent", register: false } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

test("the page adds an account, shows its registration and removes it", requirements(), async () => {
  const p = await browser.newPage();
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.locator("#no-accounts").waitFor();
    await p.fill("#add-server", "127.0.0.1:7");
    await p.fill("#add-username", "2001");
    await p.fill("#add-password", "pw-2001");
    await p.selectOption("#add-transport", "udp");
    await p.click("#account-add button[type=submit]");
    const item = p.locator("#accounts li.account");
    await item.waitFor();
    assert.match(await item.textContent(), /2001@127\.0\.0\.1:7/);
    await p.locator("#accounts li.account[data-state=registering], #accounts li.account[data-state=failed]").waitFor();
    assert.equal(await p.locator("#no-accounts").isHidden(), true);
    assert.match(await p.locator("#registration").textContent(), /agent@127\.0\.0\.1:9/, "the default account's line stays its own");
    await p.getByRole("button", { name: "Remove 2001@127.0.0.1:7" }).click();
    await item.waitFor({ state: "detached" });
    await p.locator("#no-accounts").waitFor();
  } finally {
    await p.close();
  }
});
