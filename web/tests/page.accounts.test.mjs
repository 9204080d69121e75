// The softphone page in Chromium lists the accounts besides the default one with
// their registration; the engine's own page (admin) adds, edits and removes them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { connect } from "../lib/wpservice.js";
import { requirements, peerRequirements, startEngine, launchBrowser } from "./harness.mjs";
import { startPeers } from "./peers.mjs";

let engine, browser, peers;

before(async () => {
  if (requirements().skip) return;
  engine = await startEngine({ account: { server: "127.0.0.1:9", username: "agent", register: false } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
  await peers?.stop();
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

test("the page edits a second account: it registers at its new server with the password it kept", peerRequirements(), async () => {
  peers = await startPeers({ kamailio: { auth: true, users: { 3001: "pw-3001" } } });
  const kam = peers.kamailio.addr;
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const api = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage();
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.fill("#add-server", "127.0.0.1:7");
    await p.fill("#add-username", "3001");
    await p.fill("#add-password", "pw-3001");
    await p.click("#account-add button[type=submit]");
    const item = p.locator("#accounts li.account");
    await item.waitFor();

    await p.getByRole("button", { name: "Edit 3001@127.0.0.1:7" }).click();
    const form = p.locator("#account-edit");
    await form.waitFor();
    assert.equal(await p.inputValue("#edit-server"), "127.0.0.1:7");
    assert.equal(await p.inputValue("#edit-username"), "3001");
    assert.equal(await p.inputValue("#edit-password"), "", "the stored password is never shown");
    await p.fill("#edit-server", kam);
    await p.fill("#edit-displayName", "Sales line");
    await p.fill("#edit-registerInterval", "120");
    await p.fill("#edit-codecs", "PCMA, PCMU");
    await p.click("#account-edit button[type=submit]");
    await form.waitFor({ state: "hidden" });

    await p.locator("#accounts li.account[data-state=registered]").waitFor({ timeout: 10000 });
    assert.match(await item.textContent(), new RegExp(`Registered as 3001@${kam.replaceAll(".", "\\.")}`));
    const { accounts } = await api.send("accounts.list", {}, { wait: true });
    const edited = accounts.find((a) => a.username === "3001");
    assert.deepEqual(
      { server: edited.server, displayName: edited.displayName, registerInterval: edited.registerInterval, codecs: edited.codecs, hasPassword: edited.hasPassword, state: edited.registration.state },
      { server: kam, displayName: "Sales line", registerInterval: 120, codecs: ["PCMA", "PCMU"], hasPassword: true, state: "registered" });
    assert.equal(await p.locator("#registration").textContent().then((t) => /agent@127\.0\.0\.1:9/.test(t)), true, "the default account is left as it was");
  } finally {
    api.close();
    await p.close();
  }
});

test("Call from: a call goes from the account chosen beside the number", requirements(), async () => {
  const token = readFileSync(path.join(engine.dataDir, "token"), "utf8").trim();
  const api = connect({ ports: [engine.port], secure: false, token });
  const p = await browser.newPage();
  try {
    await p.goto(engine.url + "/");
    await p.locator("#banner").waitFor({ state: "hidden" });
    await p.fill("#add-server", "127.0.0.1:7");
    await p.fill("#add-username", "4001");
    await p.click("#account-add button[type=submit]");
    const from = p.locator("#dial-account");
    await from.waitFor(); // shown once there is a choice
    const { accounts } = await api.send("accounts.list", {}, { wait: true });
    const second = accounts.find((a) => a.username === "4001");
    assert.equal(await from.inputValue(), "", "the default account is chosen until the user picks another");

    await from.selectOption({ label: "From 4001@127.0.0.1:7" });
    const placed = new Promise((resolve) => api.on("call.state", (d) => { if (d.direction === "outgoing") resolve(d); }));
    await p.fill("#number", "bob");
    await p.click("#dial button[type=submit]");
    const call = await placed;
    assert.equal(call.account, second.id, "the call goes from the chosen account");
    await api.send("call.hangup", { all: true }).catch(() => {});

    await p.getByRole("button", { name: "Remove 4001@127.0.0.1:7" }).click();
    await p.locator("#dial-account option", { hasText: "From 4001@127.0.0.1:7" }).waitFor({ state: "detached" });
  } finally {
    api.close();
    await p.close();
  }
});
