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

/** A free TCP port on 127.0.0.1. */
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

async function waitFor(what, fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts the engine with WAV-free null audio on free ports and returns
 * { port, url, dataDir, log(), stop() }. extra is merged into the config.
 */
export async function startEngine(extra = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "wpservice-web-"));
  const port = await freePort();
  const config = {
    control: { port, fallbackPorts: [], ...(extra.control || {}) },
    sip: { listenIP: "127.0.0.1", udpPort: 0, tcpPort: 0 },
    audio: { backend: "null", input: "null", output: "null" },
    log: { level: "debug" },
    dataDir: path.join(dir, "data"),
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "control")),
  };
  const cfgPath = path.join(dir, "config.json");
  writeFileSync(cfgPath, JSON.stringify(config), { mode: 0o600 });
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  let proc, exited;
  const launch = async () => {
    proc = spawn(process.env.WPSERVICE_BIN, ["run", "--config", cfgPath], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout.on("data", (d) => { log += d; });
    proc.stderr.on("data", (d) => { log += d; });
    exited = new Promise((resolve) => proc.on("exit", resolve));
    try {
      await waitFor("the engine's /health", async () => (await fetch(`${url}/health`)).ok);
    } catch (e) {
      proc.kill("SIGKILL");
      throw new Error(`${e.message}\n${log}`);
    }
  };
  const halt = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  };
  await launch();
  return {
    port, url, dataDir: config.dataDir, configPath: cfgPath,
    log: () => log,
    /** Stops the engine and starts it again on the same port and data; between, if given, runs while it is down. */
    async restart(between) {
      await halt();
      if (between) await between();
      await launch();
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
