// The harness's engine: it takes its ports itself, the harness reads them from its
// ready line, and a restart brings it back on the same ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import net from "node:net";
import { engineRequirements, startEngine, freePort } from "./harness.mjs";

const readyLines = (log) => log.split("\n").filter((l) => l.includes('msg="wpservice ready"'));

// udpBound tells whether someone holds 127.0.0.1:port over UDP.
const udpBound = (port) => new Promise((resolve, reject) => {
  const sock = dgram.createSocket("udp4");
  sock.once("error", (e) => {
    sock.close();
    if (e.code === "EADDRINUSE") resolve(true);
    else reject(e);
  });
  sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(false)));
});

const tcpAccepts = (port) => new Promise((resolve) => {
  const c = net.connect(port, "127.0.0.1", () => {
    c.destroy();
    resolve(true);
  });
  c.once("error", () => resolve(false));
});

test("the engine takes its own ports; a restart brings it back on the same ones", engineRequirements(), async () => {
  const engine = await startEngine();
  try {
    const cfg = JSON.parse(readFileSync(engine.configPath, "utf8"));
    assert.equal(cfg.control.port, 0, "the harness picked the control port, not the engine");
    assert.deepEqual([cfg.sip.udpPort, cfg.sip.tcpPort], [0, 0]);
    assert.ok(engine.port > 0 && engine.sip.udp > 0 && engine.sip.tcp > 0, JSON.stringify(engine.sip));
    assert.equal(engine.url, `http://127.0.0.1:${engine.port}`);
    assert.ok((await fetch(`${engine.url}/health`)).ok);
    assert.ok(await udpBound(engine.sip.udp), "nobody holds the SIP UDP port read from the ready line");
    assert.ok(await tcpAccepts(engine.sip.tcp), "nothing accepts on the SIP TCP port read from the ready line");

    await engine.restart();
    const [first, second] = readyLines(engine.log());
    const ports = (l) => l.match(/ control=(\S+) sip=(\S+) sip_tcp=(\S+) /).slice(1);
    assert.ok(second, "no second ready line");
    assert.deepEqual(ports(second), ports(first), "the restarted engine is on other ports");
    assert.ok((await fetch(`${engine.url}/health`)).ok);
  } finally {
    await engine.stop();
  }
});

test("a control port given by the caller is kept; a taken one fails at once with the engine's log", engineRequirements(), async () => {
  const want = await freePort();
  const engine = await startEngine({ control: { port: want } });
  try {
    assert.equal(engine.port, want);
    assert.ok((await fetch(`${engine.url}/health`)).ok);
    await engine.restart();
    assert.ok((await fetch(`${engine.url}/health`)).ok);
  } finally {
    await engine.stop();
  }

  // What a port picked in advance meets when someone else took it in between.
  const taken = net.createServer();
  await new Promise((r) => taken.listen(0, "127.0.0.1", r));
  try {
    await assert.rejects(startEngine({ control: { port: taken.address().port } }),
      /exited .* before it was ready[^]*control port unavailable/);
  } finally {
    await new Promise((r) => taken.close(r));
  }
});
