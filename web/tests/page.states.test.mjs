// The softphone page as static files on another origin tells its user what is
// wrong, one message per state; and its level meter follows the microphone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { requirements, startEngine, serveSite, launchBrowser, freePort } from "./harness.mjs";

const web = path.join(import.meta.dirname, "..");
const pageFiles = () => ({
  "index.html": readFileSync(path.join(web, "index.html"), "utf8"),
  "app.js": readFileSync(path.join(web, "app.js"), "utf8"),
  "style.css": readFileSync(path.join(web, "style.css"), "utf8"),
  "lib/wpservice.js": readFileSync(path.join(web, "lib", "wpservice.js"), "utf8"),
});

let browser;
before(async () => {
  if (requirements().skip) return;
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

// Opens the page from the customer site, pointed at the given engine ports (the
// page otherwise tries its own port and the defaults, which may be taken on a
// developer's machine).
async function openPage(site, ports) {
  const p = await browser.newPage();
  await p.route("**/app.js", async (route) => {
    const body = pageFiles()["app.js"].replace("const phone = connect({ ...options",
      `const phone = connect({ ...options, ports: ${JSON.stringify(ports)}, secure: false`);
    await route.fulfill({ contentType: "text/javascript", body });
  });
  await p.goto(site.origin + "/");
  return p;
}

test("engine not running: the page says so", requirements(), async () => {
  const site = await serveSite(pageFiles());
  try {
    const p = await openPage(site, [await freePort()]);
    await p.locator("#banner[data-state=not-running]").waitFor();
    assert.match(await p.locator("#banner").textContent(), /engine is not running on this computer/);
    assert.equal(await p.locator("#banner-action").textContent(), "Retry");
  } finally {
    await site.close();
  }
});

test("origin not approved: the page says so", requirements(), async () => {
  const site = await serveSite(pageFiles());
  const engine = await startEngine({ control: { pairing: false } });
  try {
    const p = await openPage(site, [engine.port]);
    await p.locator("#banner[data-state=not-approved]").waitFor();
    assert.match(await p.locator("#banner").textContent(), /does not accept this site/);
  } finally {
    await site.close();
    await engine.stop();
  }
});

test("waiting for approval: the page says so and goes on once allowed", requirements(), async () => {
  const site = await serveSite(pageFiles());
  const engine = await startEngine();
  try {
    const p = await openPage(site, [engine.port]);
    await p.locator("#banner[data-state=pairing]").waitFor();
    assert.match(await p.locator("#banner").textContent(), new RegExp(`Waiting for approval.*${site.origin}`));
    const admin = await browser.newPage();
    await admin.goto(engine.url + "/");
    await admin.getByRole("button", { name: `Allow ${site.origin}` }).click();
    await p.locator("#banner").waitFor({ state: "hidden" });
    assert.equal(await p.locator("#account-readonly").isVisible(), true, "a paired site may not change the account");
    assert.equal(await p.locator("#pairing").isVisible(), false, "a paired site does not see the approvals");
  } finally {
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
