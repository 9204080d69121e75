// The softphone page's voicemail boxes in Chromium with two accounts on kamailio
// (a presence server): the default (alice) and dave, who has a voicemail number. A
// voicemail system (SIPp) publishes each box; the page shows alice's count as it
// always did and dave's beside it, named, with a Voicemail button that calls dave's
// number, set with the account's Edit form, from dave's account.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { connect } from "../lib/wpservice.js";
import { peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";

let peers, engine, browser;

before(async () => {
  if (peerRequirements().skip) return;
  peers = await startPeers({ kamailio: { auth: false, presence: true } });
  engine = await startEngine({ account: { server: peers.kamailio.addr, username: "alice", register: true } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
});

/** Has the voicemail system publish user's box at kamailio: fresh new and old messages. */
async function publish(user, fresh, old) {
  await peers.sippCall({ target: peers.kamailio.addr, scenario: "uac_publish_mwi.xml", service: user, keys: { new: String(fresh), old: String(old) } });
  const r = await peers.sippWait();
  assert.equal(r.exitCode, 0, `SIPp publishing ${user}'s box:\n${r.log}`);
}

test("each account's voicemail count, and a second account's Voicemail button", peerRequirements(), async () => {
  const kam = peers.kamailio.addr;
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const api = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage();
  try {
    await api.ready;
    const dave = await api.addAccount({ server: kam, username: "dave", register: true });
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.getByRole("button", { name: `Edit dave@${kam}` }).click();
    await p.fill("#edit-voicemailNumber", "*98");
    await p.click("#account-edit button[type=submit]");
    await p.locator("#account-edit").waitFor({ state: "hidden" });
    const { accounts } = await api.send("accounts.list", {}, { wait: true });
    assert.equal(accounts.find((a) => a.id === dave.id).voicemailNumber, "*98");

    await publish("dave", 3, 4);
    const daves = p.locator(`#voicemail-accounts .badge[data-account="${dave.id}"]`);
    await daves.filter({ hasText: `dave@${kam}: 3 new voicemails, 4 old` }).waitFor({ timeout: 10000 });
    assert.equal(await p.locator("#voicemail-count").isHidden(), true, "dave's box shown as the default account's");
    await publish("alice", 1, 0);
    await p.locator("#voicemail-count", { hasText: "1 new voicemail" }).waitFor({ timeout: 10000 });
    assert.match(await daves.textContent(), /3 new voicemails, 4 old/, "alice's box changed dave's");

    const placed = new Promise((resolve) => api.on("call.state", (d) => { if (d.direction === "outgoing") resolve(d); }));
    await p.getByRole("button", { name: `Voicemail of dave@${kam}` }).click();
    const call = await placed;
    assert.equal(call.account, dave.id, "dave's voicemail is called from dave's account");
    assert.match(call.peer, /\*98@/);
    await api.send("call.hangup", { all: true }).catch(() => {});
  } finally {
    api.close();
    await p.close();
  }
});
