// Real SIP peers for the browser tests: kamailio, baresip and SIPp, started by the
// Go peer daemon (internal/testpeer/peerd, built by make as bin/peerd) exactly as
// the Go end-to-end tests start them. One JSON line per command and per answer.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import readline from "node:readline";

export function peersMissing() {
  const bin = process.env.PEERD_BIN;
  return bin && existsSync(bin) ? "" : "PEERD_BIN does not name the built peer daemon (run make webtest)";
}

/**
 * Starts the peers described by spec, e.g. {kamailio: {users: {alice: "pw"}},
 * baresip: {user: "bob", password: "pw", autoAnswer: true}}. Resolves with the
 * daemon's start answer plus methods; stop() ends every peer.
 */
export async function startPeers(spec) {
  const proc = spawn(process.env.PEERD_BIN, [], { stdio: ["pipe", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on("line", (line) => waiting.shift()?.resolve(line));
  proc.on("exit", () => {
    for (const w of waiting.splice(0)) w.reject(new Error(`peer daemon exited\n${log}`));
  });
  const ask = (obj) => new Promise((resolve, reject) => {
    waiting.push({ resolve: (line) => resolve(JSON.parse(line)), reject });
    proc.stdin.write(JSON.stringify(obj) + "\n");
  });
  const must = async (obj) => {
    const r = await ask(obj);
    if (!r.ok) throw new Error(`peer daemon: ${obj.cmd || "start"}: ${r.error || JSON.stringify(r)}\n${log}`);
    return r;
  };
  const started = await must(spec);
  return {
    ...started,
    log: () => log,
    dtmf: async () => (await must({ cmd: "baresip.dtmf" })).digits,
    events: async () => (await must({ cmd: "baresip.events" })).events,
    wait: (event, timeoutMs = 10000) => must({ cmd: "baresip.wait", event, timeoutMs }),
    command: (name, params = "") => must({ cmd: "baresip.command", name, params }),
    recorded: async () => (await must({ cmd: "baresip.recorded" })).files,
    sippCall: (opts) => must({ cmd: "sipp.call", ...opts }),
    sippWait: (timeoutMs = 20000) => ask({ cmd: "sipp.wait", timeoutMs }),
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.on("exit", r));
      proc.stdin.end(); // the daemon stops its peers when its input closes
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}
