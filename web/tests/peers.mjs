// Real SIP peers for the browser tests: kamailio, baresip and SIPp, started by the
// Go peer daemon (internal/testpeer/peerd, built by make as bin/peerd) exactly as
// the Go end-to-end tests start them. One JSON line per command and per answer.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import readline from "node:readline";

/** Why the peer daemon cannot run here, or "" when it can. */
export function peersMissing() {
  const bin = process.env.PEERD_BIN;
  return bin && existsSync(bin) ? "" : "PEERD_BIN does not name the built peer daemon (run make webtest)";
}

/** Options for node:test's test() when it needs only the peers: skip outside CI, fail under CI. */
export function peersRequirements() {
  const why = peersMissing();
  if (why && process.env.CI === "true") throw new Error(`peer tests cannot run under CI=true: ${why}`);
  return why ? { skip: why } : {};
}

/**
 * Starts the peers described by spec, e.g.
 *   {kamailio: {auth: true, users: {alice: "pw1", bob: "pw2"}},
 *    baresip: {user: "bob", password: "pw2", autoAnswer: true, record: true, toneHz: 700}}
 * (kamailio's auth and baresip's record default to true; presence: true, with auth:
 * false, makes kamailio a presence server, and has baresip publish its presence). Resolves with the daemon's
 * start answer ({kamailio: {addr, pid}, baresip: {uri, sipAddr, sourceWav, recordDir,
 * pid}}) plus methods, one per daemon command; a command that fails rejects with the
 * daemon's error and the end of its log. stop() ends every peer; so does this process
 * dying, since the daemon stops its peers when its input closes.
 */
export async function startPeers(spec) {
  const proc = spawn(process.env.PEERD_BIN, [], { stdio: ["pipe", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on("close", resolve));
  let gone = null; // why no more answers will come
  const waiting = [];
  const lines = readline.createInterface({ input: proc.stdout });
  lines.on("line", (line) => waiting.shift()?.resolve(line));
  const fail = (err) => {
    gone ??= err;
    for (const w of waiting.splice(0)) w.reject(gone);
  };
  proc.on("error", (err) => fail(new Error(`peer daemon: ${err.message}`)));
  proc.on("close", (code) => fail(new Error(`peer daemon exited (${code})\n${tail(log)}`)));
  proc.stdin.on("error", () => {}); // a write after the daemon died; "close" reports it

  const ask = (obj) => new Promise((resolve, reject) => {
    if (gone) return reject(gone);
    waiting.push({ resolve: (line) => resolve(JSON.parse(line)), reject });
    proc.stdin.write(JSON.stringify(obj) + "\n");
  });
  const must = async (obj) => {
    const r = await ask(obj);
    if (!r.ok) throw new Error(`peer daemon: ${obj.cmd ?? "start"}: ${r.error}\n${tail(log)}`);
    return r;
  };

  let started;
  try {
    started = await must(spec);
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
  return {
    ...started,
    /** Everything the daemon logged so far. */
    log: () => log,
    /** The RFC 4733 digits baresip received so far. */
    dtmf: async () => (await must({ cmd: "baresip.dtmf" })).digits,
    /** Every ctrl_tcp event baresip sent so far. */
    events: async () => (await must({ cmd: "baresip.events" })).events,
    /** The next event of that type (e.g. "CALL_ESTABLISHED") not returned by an earlier wait. */
    wait: async (event, timeoutMs = 10000) => (await must({ cmd: "baresip.wait", event, timeoutMs })).event,
    /** Any ctrl_tcp command (dial, hangup, hold, resume, sndcode...): its response text. */
    command: async (name, params = "") => (await must({ cmd: "baresip.command", name, params })).result,
    /** The recorded WAVs: per call dump-*-dec.wav (heard) and dump-*-enc.wav (sent). */
    recorded: async () => (await must({ cmd: "baresip.recorded" })).files,
    /** {hz, rms, dbfs, ms} of the WAV segment fromMs to toMs (0: the end). */
    tone: async (path, fromMs = 0, toMs = 0) => {
      const { hz, rms, dbfs, ms } = await must({ cmd: "audio.tone", path, fromMs, toMs });
      return { hz, rms, dbfs, ms };
    },
    /** Starts SIPp calling {target, scenario, service, pauseMs, calls, keys (its -key keywords)}: {port, pid}. */
    sippCall: (opts) => must({ cmd: "sipp.call", ...opts }),
    /** SIPp's result {ok, exitCode, log}; ok is false unless every call succeeded. */
    sippWait: (timeoutMs = 20000) => ask({ cmd: "sipp.wait", timeoutMs }),
    /** Stops every peer and the daemon. */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.stdin.end(); // the daemon stops its peers when its input closes
        const timer = setTimeout(() => proc.kill("SIGKILL"), 20000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function tail(log, n = 40) {
  return log.trimEnd().split("\n").slice(-n).join("\n");
}
