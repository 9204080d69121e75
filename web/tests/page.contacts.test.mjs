// The softphone page's contacts card in Chromium, against kamailio as registrar and
// presence server and baresip bob publishing his presence: a contact added with the
// form, changed with Edit, more imported from a CSV file; bob's presence shows what
// baresip publishes, offline and online again, and his busy lamp rings while the
// engine calls him, with Pick up offered, and is free once the call ends.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";

let peers, engine, browser, dir;

before(async () => {
  if (peerRequirements().skip) return;
  peers = await startPeers({
    kamailio: { auth: false, presence: true },
    baresip: { user: "bob", presence: true, record: false },
  });
  engine = await startEngine({ account: { server: peers.kamailio.addr, username: "alice", register: true } });
  browser = await launchBrowser();
  dir = mkdtempSync(path.join(tmpdir(), "wpservice-contacts-"));
});

after(async () => {
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("add, edit, import; presence and busy lamps from kamailio and baresip", peerRequirements(), async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.locator("#no-contacts").waitFor();

    // added with the form, watched for neither
    await p.fill("#contact-name", "Bobby");
    await p.fill("#contact-number", "bob");
    await p.locator("#contact-save", { hasText: "Add" }).click();
    const bob = p.locator("#contacts li", { hasText: "Bobby" });
    await bob.waitFor();
    await p.locator("#no-contacts").waitFor({ state: "hidden" });
    assert.equal(await p.inputValue("#contact-name"), "");

    // Edit puts it in the form; Save changes it, now watched for presence and busy lamp
    await p.getByRole("button", { name: "Edit Bobby" }).click();
    assert.equal(await p.inputValue("#contact-number"), "bob");
    await p.fill("#contact-name", "Bob");
    await p.check("#contact-presence");
    await p.check("#contact-blf");
    await p.locator("#contact-save", { hasText: "Save" }).click();
    const watched = p.locator("#contacts li", { hasText: "Bob" });
    await p.getByRole("button", { name: "Call Bob" }).waitFor();
    assert.equal(await p.locator("#contacts li").count(), 1, "Save added a contact instead of changing it");
    await p.locator("#contact-save", { hasText: "Add" }).waitFor();

    // bob's presence, as baresip publishes it through kamailio
    await watched.filter({ hasText: "Available" }).waitFor({ timeout: 10000 });
    await peers.command("presence_offline");
    await watched.filter({ hasText: "Offline" }).waitFor({ timeout: 10000 });
    await peers.command("presence_online");
    await watched.filter({ hasText: "Available" }).waitFor({ timeout: 10000 });

    // his busy lamp while the engine calls him: ringing, with Pick up; free once it ends
    await p.fill("#number", "bob");
    await p.getByRole("button", { name: "Call", exact: true }).click();
    await p.locator("#contacts li[data-lamp=ringing]", { hasText: "Bob" }).waitFor({ timeout: 10000 });
    await watched.getByRole("button", { name: "Pick up" }).waitFor();
    await p.getByRole("button", { name: "Hang up" }).first().click();
    await p.locator("#contacts li[data-lamp=idle]", { hasText: "Bob" }).waitFor({ timeout: 10000 });
    assert.match(await watched.textContent(), /free/);

    // two more from a CSV file, the bad line skipped and said so
    const csv = path.join(dir, "team.csv");
    writeFileSync(csv, "name,number,presence,blf\nCarol,carol,no,no\nDave,2004,no,yes\n,,\n");
    await p.setInputFiles("#contact-import", csv);
    await p.locator("#contacts li", { hasText: "Carol" }).waitFor();
    await p.locator("#contacts li", { hasText: "Dave" }).waitFor();
    assert.equal(await p.locator("#contacts li").count(), 3);
    await p.locator("#error", { hasText: "Some lines were skipped: 1 of 3" }).waitFor();
  } finally {
    await p.close();
  }
});
