// The Node side of the peer daemon: start kamailio and a registered baresip, ask
// them things, stop them, and find them gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { startPeers, peersRequirements } from "./peers.mjs";

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("startPeers runs kamailio and baresip until stop()", peersRequirements(), async () => {
  const peers = await startPeers({
    kamailio: { auth: true, users: { alice: "pw1", bob: "pw2" } },
    baresip: { user: "bob", password: "pw2", autoAnswer: true, record: true, toneHz: 700 },
  });
  try {
    assert.match(peers.kamailio.addr, /^127\.0\.0\.1:\d+$/);
    assert.equal(peers.baresip.uri, `sip:bob@${peers.kamailio.addr}`);
    assert.ok(alive(peers.kamailio.pid) && alive(peers.baresip.pid), "the peers run");

    assert.equal(await peers.dtmf(), "");
    assert.deepEqual(await peers.recorded(), []);
    assert.match(await peers.command("reginfo"), /sip:bob@.*OK/);
    const tone = await peers.tone(peers.baresip.sourceWav, 500, 1500);
    assert.ok(Math.abs(tone.hz - 700) <= 5, `source tone at ${tone.hz} Hz, want 700`);
    assert.equal(tone.ms, 1000);
    await assert.rejects(peers.wait("CALL_ESTABLISHED", 200), /no CALL_ESTABLISHED event/);
    await assert.rejects(peers.command("no-such-command"), /no-such-command/);
  } finally {
    await peers.stop();
  }
  assert.ok(!alive(peers.kamailio.pid) && !alive(peers.baresip.pid), "stop() ended the peers");
  assert.ok(!existsSync(peers.baresip.sourceWav), "stop() removed the temporary files");
  await assert.rejects(peers.dtmf(), /peer daemon exited/);
});

test("startPeers rejects a start line the daemon refuses", peersRequirements(), async () => {
  await assert.rejects(startPeers({ kamailo: {} }), /unknown field "kamailo"/);
});
