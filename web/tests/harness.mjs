// Test harness for the browser tests: the real engine on free loopback ports,
// Debian's Chromium driven by playwright-core, and small static "customer"
// sites on their own loopback origins. Nothing here fakes the engine.
import { spawn, execFileSync } from "node:child_process";
import { createServer as createTLSServer } from "node:https";
import { mkdtempSync, writeFileSync, existsSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const ci = process.env.CI === "true";

/** Why the tests cannot run here, or "" when they can. */
export function missing({ browser = true } = {}) {
  const bin = process.env.WPSERVICE_BIN;
  if (!bin || !existsSync(bin)) return "WPSERVICE_BIN does not name the built engine (run make webtest)";
  if (browser && !existsSync(chromiumPath())) return `no Chromium at ${chromiumPath()} (apt-get install chromium)`;
  return "";
}

function options(why) {
  if (why && ci) throw new Error(`browser tests cannot run under CI=true: ${why}`);
  return why ? { skip: why } : {};
}

/** Options for node:test's test() when it needs the engine and Chromium: skip outside CI, fail under CI. */
export function requirements() {
  return options(missing());
}

/** The same for a test that also needs the real SIP peers (the peer daemon). */
export function peerRequirements() {
  const bin = process.env.PEERD_BIN;
  return options(missing() || (bin && existsSync(bin) ? "" : "PEERD_BIN does not name the built peer daemon (run make webtest)"));
}

/** The same for a test that needs only the engine. */
export function engineRequirements() {
  return options(missing({ browser: false }));
}

export function chromiumPath() {
  return process.env.CHROMIUM || "/usr/bin/chromium";
}

/**
 * A free TCP port on 127.0.0.1, for the test's own servers and for a port where
 * nothing listens. Not for the engine: startEngine lets it take its own ports.
 */
// handedOut holds every port freePort gave: the kernel may hand a port just
// closed straight back to the next listen(0).
const handedOut = new Set();

export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.on("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

// The line the engine logs once every listener is open (cmd/wpservice/engine.go):
// the ports it was given, 0 or not, are read there.
const readyLine = /msg="wpservice ready".* control=http:\/\/127\.0\.0\.1:(\d+)\/ sip=\S*:(\d+) sip_tcp=\S*:(\d+) /;
const readyMs = 10000;

/**
 * Starts the engine with WAV-free null audio and returns
 * { port, url, sip: { udp, tcp }, dataDir, configPath, log(), restart(between), stop() }.
 * extra is merged into the config. The engine takes its ports itself (control and
 * SIP on port 0, unless extra names them): the ports are read from its ready line.
 * A port picked here and closed again before the engine starts can be handed by
 * the kernel to the engine's own listen(0) of its SIP TCP listener, which opens
 * first: the control port is then taken.
 */
export async function startEngine(extra = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "wpservice-web-"));
  const config = {
    control: { port: 0, fallbackPorts: [], ...(extra.control || {}) },
    sip: { listenIP: "127.0.0.1", udpPort: 0, tcpPort: 0 },
    audio: { backend: "null", input: "null", output: "null" },
    log: { level: "debug" },
    dataDir: path.join(dir, "data"),
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "control")),
  };
  const cfgPath = path.join(dir, "config.json");
  const write = (c) => writeFileSync(cfgPath, JSON.stringify(c), { mode: 0o600 });
  write(config);
  let log = "";
  let proc, exited;
  // launch starts the engine and resolves with the ports of its ready line, or
  // rejects with this run's log when it exits first or is not ready in time.
  const launch = () => new Promise((resolve, reject) => {
    const from = log.length; // this run's output only
    let settled = false;
    const settle = (fn, v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(v);
    };
    const child = spawn(process.env.WPSERVICE_BIN, ["run", "--config", cfgPath], { stdio: ["ignore", "pipe", "pipe"] });
    proc = child;
    exited = new Promise((r) => { child.on("exit", r); child.on("error", r); });
    const fail = (why) => {
      if (settled) return;
      child.kill("SIGKILL");
      settle(reject, new Error(`${why}\n${log.slice(from)}`));
    };
    const timer = setTimeout(() => fail(`the engine was not ready within ${readyMs} ms`), readyMs);
    const onData = (d) => {
      log += d;
      if (settled) return;
      const m = readyLine.exec(log.slice(from));
      if (m) settle(resolve, { control: Number(m[1]), udp: Number(m[2]), tcp: Number(m[3]) });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    // "close" comes after the output has been read to its end: the log is whole
    child.on("close", (code, signal) => fail(`the engine exited (${signal || code}) before it was ready`));
    child.on("error", (e) => fail(`the engine did not start: ${e.message}`));
  });
  const halt = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    let timer;
    await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer); // a timer left running would hold the test file open
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  };
  let ports, url;
  // Once ready, the engine answers /health at once: one request, no polling.
  const health = async () => {
    const res = await fetch(`${url}/health`).catch((e) => { throw new Error(`the engine's /health: ${e.message}\n${log}`); });
    if (!res.ok) throw new Error(`the engine's /health answered ${res.status}\n${log}`);
  };
  try {
    ports = await launch();
    url = `http://127.0.0.1:${ports.control}`;
    await health();
  } catch (e) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port: ports.control, url, sip: { udp: ports.udp, tcp: ports.tcp }, dataDir: config.dataDir, configPath: cfgPath,
    log: () => log,
    /**
     * Stops the engine and starts it again on the same ports and data; between, if
     * given, runs while it is down. The control port is pinned, as the pages and
     * clients reconnect there (their tokens are kept by port). The SIP ports the
     * first run got are pinned too: the SIP listeners open before the control
     * listener, and a listen(0) there could be handed the control port the engine
     * has just let go of; the peers also keep calling the engine's SIP address.
     */
    async restart(between) {
      await halt();
      if (between) await between();
      const pinned = {
        ...config,
        control: { ...config.control, port: ports.control, fallbackPorts: [] },
        sip: { ...config.sip, udpPort: config.sip.udpPort || ports.udp, tcpPort: config.sip.tcpPort || ports.tcp },
      };
      write(pinned);
      const again = await launch();
      if (again.control !== ports.control) throw new Error(`the engine came back on control port ${again.control}, not ${ports.control}`);
      await health();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let selfSigned = null;

/** A self-signed certificate for the test host names (made once with openssl). */
export function testCertificate() {
  if (selfSigned) return selfSigned;
  const dir = mkdtempSync(path.join(tmpdir(), "wpservice-cert-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-days", "2", "-subj", "/CN=crm.test", "-addext", "subjectAltName=DNS:crm.test,DNS:widget.test",
    "-keyout", key, "-out", cert], { stdio: "ignore" });
  selfSigned = { key: readFileSync(key), cert: readFileSync(cert) };
  rmSync(dir, { recursive: true, force: true });
  return selfSigned;
}

/**
 * Serves files (name -> content) on a free loopback port, as a customer site on
 * http://localhost:<port> (a loopback http origin may ask to pair), or with
 * { https: "crm.test" } on https://crm.test:<port> with a self-signed certificate
 * (map the name with Chromium's --host-resolver-rules). Returns { origin, port, close() }.
 */
export async function serveSite(files, opts = {}) {
  const port = await freePort();
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };
  const handler = (req, res) => {
    const name = new URL(req.url, "http://x").pathname.slice(1) || "index.html";
    if (!(name in files)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": types[path.extname(name)] || "application/octet-stream" }).end(files[name]);
  };
  const srv = opts.https ? createTLSServer(testCertificate(), handler) : createServer(handler);
  await new Promise((resolve) => srv.listen(port, "127.0.0.1", resolve));
  const origin = opts.https ? `https://${opts.https}:${port}` : `http://localhost:${port}`;
  return { origin, port, close: () => new Promise((r) => srv.close(r)) };
}

/** Launches headless Chromium with the flags that work in containers and CI, plus extra. */
export async function launchBrowser(extra = []) {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...extra],
  });
}
