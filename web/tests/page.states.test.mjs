// The softphone page as static files on another origin tells its user what is
// wrong, one message per state (not running, not approved, waiting for approval,
// permission needed); and its level meter follows the microphone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { requirements, startEngine, serveSite, launchBrowser, freePort } from "./harness.mjs";
import { pageFiles } from "./page.site.mjs";

let browser;
before(async () => {
  if (requirements().skip) return;
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

// Opens a copy of the page on a customer's origin, pointed at the given engine ports
// (the defaults may be taken on a developer's machine).
async function openPage(ports) {
  const site = await serveSite(pageFiles(ports));
  const page = await browser.newPage();
  await page.goto(site.origin + "/");
  return { site, page };
}

test("engine not running: the page says so, and keeps saying so while it retries", requirements(), async () => {
  const { site, page: p } = await openPage([await freePort()]);
  try {
    await p.locator("#banner[data-state=not-running]").waitFor();
    assert.match(await p.locator("#banner-text").textContent(), /engine is not running on this computer/);
    assert.equal(await p.locator("#banner-action").textContent(), "Retry");
    // The library retries with a backoff, passing through "connecting" each time:
    // the explanation must not flicker away meanwhile.
    let attempts = 0;
    p.on("websocket", () => { attempts++; });
    const seen = await p.evaluate(() => new Promise((resolve) => {
      const states = new Set();
      const banner = document.querySelector("#banner");
      const look = () => states.add(`${banner.dataset.state}${banner.hidden ? " (hidden)" : ""}`);
      new MutationObserver(look).observe(banner, { attributes: true, childList: true, subtree: true });
      setTimeout(() => resolve([...states]), 3000);
    }));
    assert.ok(attempts > 0, "the page did not retry while watched");
    assert.deepEqual(seen.filter((s) => s !== "not-running"), [], `the banner showed ${seen.join(", ")}`);
    await p.getByRole("button", { name: "Retry" }).click();
    await p.locator("#banner[data-state=not-running]").waitFor();
  } finally {
    await site.close();
  }
});

test("origin not approved: the page says so", requirements(), async () => {
  const engine = await startEngine({ control: { pairing: false } });
  const { site, page: p } = await openPage([engine.port]);
  try {
    await p.locator("#banner[data-state=not-approved]").waitFor();
    assert.match(await p.locator("#banner-text").textContent(), new RegExp(`does not accept this site \\(${site.origin}\\)`));
    assert.equal(await p.locator("#banner-action").textContent(), "Retry");
  } finally {
    await site.close();
    await engine.stop();
  }
});

test("waiting for approval: the page says so and goes on once allowed", requirements(), async () => {
  const engine = await startEngine();
  const { site, page: p } = await openPage([engine.port]);
  try {
    await p.locator("#banner[data-state=pairing]").waitFor();
    assert.match(await p.locator("#banner-text").textContent(),
      new RegExp(`Waiting for approval: allow ${site.origin} on the wpservice page \\(http://127.0.0.1:${engine.port}/\\)`));
    const admin = await browser.newPage();
    await admin.goto(engine.url + "/");
    await admin.getByRole("button", { name: `Allow ${site.origin}` }).click();
    await p.locator("#banner").waitFor({ state: "hidden" });
    assert.equal(await p.locator("#account-readonly").isVisible(), true, "a paired site may not change the account");
    assert.equal(await p.locator("#acc-server").isDisabled(), true, "the account is read-only for a paired site");
    assert.equal(await p.locator("#pairing").isVisible(), false, "a paired site does not see the approvals");
  } finally {
    await site.close();
    await engine.stop();
  }
});

test("permission needed: the page waits for the user's click on Connect", requirements(), async () => {
  const engine = await startEngine();
  const site = await serveSite(pageFiles([engine.port]), { https: "crm.test" });
  // A public https site, as Chrome's Local Network Access sees it.
  const lna = await launchBrowser([
    "--host-resolver-rules=MAP crm.test 127.0.0.1",
    `--ip-address-space-overrides=127.0.0.1:${site.port}=public`,
    "--ignore-certificate-errors",
  ]);
  try {
    const ctx = await lna.newContext({ ignoreHTTPSErrors: true });
    const p = await ctx.newPage();
    let sockets = 0;
    p.on("websocket", () => { sockets++; });
    await p.goto(site.origin + "/");
    await p.locator("#banner[data-state=permission-needed]").waitFor();
    assert.match(await p.locator("#banner-text").textContent(), /Click Connect/);
    assert.equal(sockets, 0, "the page reached for the engine before the user's gesture");

    await ctx.grantPermissions(["local-network-access"], { origin: site.origin }); // what the prompt's Allow does
    await p.getByRole("button", { name: "Connect" }).click();
    await p.locator("#banner[data-state=pairing]").waitFor();
    assert.ok(sockets > 0);
    await ctx.close();
  } finally {
    await lna.close();
    await site.close();
    await engine.stop();
  }
});

test("the input level meter follows the microphone", requirements(), async () => {
  // A microphone that plays a -15 dBFS-ish tone, from a WAV file made with sox.
  const dir = mkdtempSync(path.join(tmpdir(), "wps-level-"));
  const wav = path.join(dir, "mic.wav");
  const sox = spawnSync("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", wav, "synth", "30", "sine", "1000", "vol", "0.25"]);
  assert.equal(sox.status, 0, `sox failed: ${sox.stderr}`);
  const engine = await startEngine({ audio: { backend: "null", input: "wav", inputFile: wav, output: "null" } });
  try {
    const p = await browser.newPage();
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.waitForFunction(() => Number(document.querySelector("#level").value) > -30, null, { timeout: 10000 });
    const level = await p.evaluate(() => Number(document.querySelector("#level").value));
    assert.ok(level > -30 && level <= 0, `meter at ${level} dBFS`);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
