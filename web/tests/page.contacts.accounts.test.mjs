// The softphone page's contacts card in Chromium with two accounts: the default
// (agent, not registered) and dave on kamailio, a presence server where baresip bob
// publishes his presence. A CSV file imports contacts with an account column (by
// user@server, empty for the default, an unknown one skipped and said so); bob
// watched from dave's account shows his presence there only, not on the default
// account's bob; the form picks a contact's account.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "../lib/wpservice.js";
import { peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";

let peers, engine, browser, dir;

before(async () => {
  if (peerRequirements().skip) return;
  peers = await startPeers({
    kamailio: { auth: false, presence: true },
    baresip: { user: "bob", presence: true, record: false },
  });
  engine = await startEngine({ account: { server: "127.0.0.1:9", username: "agent", register: false } });
  browser = await launchBrowser();
  dir = mkdtempSync(path.join(tmpdir(), "wpservice-contacts-accounts-"));
});

after(async () => {
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("contacts on two accounts: imported by account, each with its own presence", peerRequirements(), async () => {
  const kam = peers.kamailio.addr;
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const api = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    await api.ready;
    const dave = await api.addAccount({ server: kam, username: "dave", register: true });
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.locator("#contact-account-field").waitFor(); // shown once there is a choice

    const csv = path.join(dir, "team.csv");
    writeFileSync(csv, `name,number,presence,account\nBob here,bob,yes,\nBob there,bob,yes,dave@${kam}\nNobody,2009,no,nosuch\n`);
    await p.setInputFiles("#contact-import", csv);
    const here = p.locator("#contacts li", { hasText: "Bob here" });
    const there = p.locator("#contacts li", { hasText: "Bob there" });
    await there.waitFor();
    await p.locator("#error", { hasText: 'Some lines were skipped: 1 of 3 (line 4: no account "nosuch"' }).waitFor();
    assert.equal(await here.getAttribute("data-account"), "");
    assert.equal(await there.getAttribute("data-account"), dave.id);
    assert.match(await there.textContent(), new RegExp(`dave@${kam.replaceAll(".", "\\.")}`));

    // bob's presence, through dave's account only: the default account is not
    // registered and watches nobody
    await there.filter({ hasText: "Available" }).waitFor({ timeout: 10000 });
    assert.doesNotMatch(await here.textContent(), /Available/, "dave's bob's presence shown on the default account's bob");

    // the form: a contact added on dave's account; Edit shows a contact's account
    await p.fill("#contact-name", "Carol");
    await p.fill("#contact-number", "carol");
    await p.selectOption("#contact-account", dave.id);
    await p.locator("#contact-save", { hasText: "Add" }).click();
    await p.locator(`#contacts li[data-account="${dave.id}"]`, { hasText: "Carol" }).waitFor();
    assert.equal(await p.inputValue("#contact-account"), "", "the form did not go back to the default account");
    await p.getByRole("button", { name: "Edit Bob there" }).click();
    assert.equal(await p.inputValue("#contact-account"), dave.id);
    await p.getByRole("button", { name: "Edit Bob here" }).click();
    assert.equal(await p.inputValue("#contact-account"), "");
  } finally {
    api.close();
    await p.close();
  }
});
