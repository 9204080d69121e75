// wpservice.js: the browser (and Node) client of the wpservice engine.
//
// It finds the engine on the loopback ports, authenticates (pairing the page's
// origin with the user's approval when needed), keeps a mirror of the engine's
// state from the hello snapshot and the events that follow, turns commands into
// promises and reconnects with jittered backoff. It has no dependencies.
//
// The wire protocol is docs/protocol.md; the names below are kept in step with the
// engine by web/names_test.go.

/** Every command of the protocol. */
export const COMMANDS = [
  "account.add", "account.get", "account.remove", "account.set", "account.update", "accounts.list", "audio.play", "audio.stop", "auth", "blf.pickup", "call.answer", "call.dial", "call.dtmf", "call.forward", "call.hangup",
  "call.hold", "call.ignore", "call.mute", "call.record", "call.referral", "call.reject", "call.stats", "call.transfer",
  "chat.conversations", "chat.delete", "chat.list", "chat.read", "chat.send",
  "conference.add", "conference.hold", "conference.remove", "conference.resume", "conference.split",
  "contacts.delete", "contacts.import", "contacts.list", "contacts.set", "devices.list", "devices.select",
  "devices.volume", "events.subscribe", "history.clear", "history.delete", "history.list",
  "line.select", "pair.approve", "pair.deny", "pair.list", "pair.request", "pair.revoke", "register",
  "settings.get", "settings.set", "sounds.list", "status", "unregister",
];

/** Every event of the protocol. */
export const EVENTS = [
  "account.changed", "accounts.changed", "audio.level", "audio.play", "blf.state", "call.cdr", "call.dtmf", "call.recording", "call.referred", "call.state", "call.stats", "call.transfer",
  "chat.message", "chat.status", "chat.unread", "contacts.changed", "devices.changed", "hello", "line.selected", "log", "mwi.state", "pair.changed",
  "paired", "permission", "presence.state", "reg.state", "session.lagged", "settings.changed", "sip.trace", "subscription.state",
];

/**
 * Applies a reg.state to the mirror: the default account's is `registration`, and
 * every account's is in `accounts` (an engine from before several accounts sends no
 * account id: it has only the default).
 */
function regState(st, d) {
  const acc = (st.accounts || []).find((a) => a.id === d?.account);
  if (!d?.account || acc?.default || !st.accounts?.length) st.registration = d;
  if (acc) acc.registration = d;
}

/** list with the entry of d.number replaced by d (or added), in number order. */
/** The list of contact states with d in place of the one it changes: a contact is its account and number. */
function byContact(list, d) {
  const same = (x) => x.number === d?.number && (x.account || "") === (d?.account || "");
  return [...list.filter((x) => !same(x)), d].sort(contactOrder);
}

/** The engine's order of contact states: by number, then account (the default's first). */
function contactOrder(a, b) {
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.number, b.number) || cmp(a.account || "", b.account || "");
}

/** The other accounts' voicemail boxes with d, an account's, in place of its last. */
function byAccount(list, d) {
  return [...list.filter((x) => x.account !== d.account), d];
}

/** Connection states a page shows to its user (see docs/javascript-api.md). */
export const STATUSES = [
  "connecting", "not-running", "permission-needed", "permission-denied", "iframe-blocked",
  "pairing", "not-approved", "update-needed", "connected", "disconnected", "closed",
];

const DEFAULTS = {
  host: "127.0.0.1",
  ports: [18620, 18621, 18622, 18623],
  tlsPorts: [18630, 18631, 18632, 18633],
  secure: "auto", // false: ws only; true: wss only; "auto": ws ports, then wss ports
  reconnect: true,
  backoff: { min: 500, max: 15000 },
  connectOnPrompt: false,
  minVersion: "", // the oldest engine version this page works with ("" = any)
  downloadUrl: "", // where the site offers the engine's installer ("" = none)
  permission: "", // what a site that must pair asks for: "control" ("" too) or "account"
};

/** Permissions from least to most; a higher one includes the lower ones. */
const PERMISSIONS = ["read", "control", "account", "admin"];
const permRank = (p) => PERMISSIONS.indexOf(p);

/**
 * An error from the engine (code is the protocol's error code) or from the client:
 * "not_connected", "disconnected", "closed", "timeout".
 */
export class WpsError extends Error {
  constructor(code, message, data) {
    super(message || code);
    this.name = "WpsError";
    this.code = code;
    this.data = data;
  }
}

// ---------------------------------------------------------------------------
// Environment

const inBrowser = () => typeof window !== "undefined" && typeof document !== "undefined";

function pageOnLoopback() {
  if (!inBrowser()) return true;
  const h = location.hostname;
  return h === "localhost" || h.endsWith(".localhost") || h === "127.0.0.1" || h === "[::1]" || h === "::1";
}

function framing() {
  if (!inBrowser()) return { framed: false, frameAllowed: null };
  let framed = false;
  try {
    framed = window.top !== window.self;
  } catch {
    framed = true; // a cross-origin parent
  }
  let frameAllowed = null;
  const policy = document.permissionsPolicy || document.featurePolicy;
  if (framed && policy && typeof policy.allowsFeature === "function") {
    try {
      const names = typeof policy.features === "function" ? policy.features() : [];
      const name = names.includes("loopback-network") ? "loopback-network"
        : names.includes("local-network-access") ? "local-network-access" : null;
      if (name) frameAllowed = policy.allowsFeature(name);
    } catch { /* unknown feature */ }
  }
  return { framed, frameAllowed };
}

/** The Local Network Access permission state for loopback: granted, prompt, denied or unsupported. */
async function lnaState() {
  if (!inBrowser() || pageOnLoopback()) return "granted";
  const perms = typeof navigator !== "undefined" && navigator.permissions;
  if (!perms || typeof perms.query !== "function") return "unsupported";
  for (const name of ["loopback-network", "local-network-access"]) {
    try {
      const st = await perms.query({ name });
      return st.state;
    } catch { /* not a known permission name in this browser */ }
  }
  return "unsupported";
}

/** Whether something listens on host:port (opaque no-cors fetch: resolves when a server answers). */
async function listening(scheme, host, port, timeoutMs = 1500) {
  if (typeof fetch !== "function") return false;
  const ctl = typeof AbortController === "function" ? new AbortController() : null;
  const timer = ctl && setTimeout(() => ctl.abort(), timeoutMs);
  try {
    await fetch(`${scheme}://${hostPart(host)}:${port}/health`, { mode: "no-cors", cache: "no-store", signal: ctl?.signal });
    return true;
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

const hostPart = (host) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);

function endpoints(o) {
  const plain = o.ports.map((port) => ({ scheme: "ws", port }));
  const tls = o.tlsPorts.map((port) => ({ scheme: "wss", port }));
  if (o.secure === true) return tls;
  if (o.secure === false) return plain;
  return plain.concat(tls);
}

/**
 * Checks the environment without opening a WebSocket: whether an engine listens on
 * one of the ports, the Local Network Access permission, and whether the page is in
 * a frame that may use it.
 */
export async function probe(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const { framed, frameAllowed } = framing();
  const lna = await lnaState();
  const result = { running: false, lna, framed, frameAllowed };
  if (lna === "prompt" || lna === "denied") return result; // probing would trigger or hit the block
  for (const ep of endpoints(o)) {
    if (await listening(ep.scheme === "wss" ? "https" : "http", o.host, ep.port)) {
      return { ...result, running: true, port: ep.port, secure: ep.scheme === "wss" };
    }
  }
  return result;
}

// ---------------------------------------------------------------------------
// Small helpers

class Emitter {
  #handlers = new Map();

  on(name, fn) {
    if (typeof fn !== "function") return () => {};
    if (!this.#handlers.has(name)) this.#handlers.set(name, new Set());
    this.#handlers.get(name).add(fn);
    return () => this.off(name, fn);
  }

  off(name, fn) {
    this.#handlers.get(name)?.delete(fn);
  }

  once(name) {
    return new Promise((resolve) => {
      const off = this.on(name, (...args) => {
        off();
        resolve(args[0]);
      });
    });
  }

  emit(name, ...args) {
    for (const fn of [...(this.#handlers.get(name) || [])]) {
      try {
        fn(...args);
      } catch (e) {
        // A listener's bug must not break the connection.
        setTimeout(() => { throw e; });
      }
    }
  }
}

/** A call reference: nothing (the selected line), a line number, a call id, or an object. */
function ref(r) {
  if (r === undefined || r === null) return {};
  if (typeof r === "number") return { line: r };
  if (typeof r === "string") return { callId: r };
  if (typeof r === "object") return { ...(r.line ? { line: r.line } : {}), ...(r.callId ? { callId: r.callId } : {}) };
  return {};
}

/**
 * Whether the engine's version is older than min ("1.4" and "1.4.0" are equal; a
 * pre-release such as "1.4.0-rc1" is older than "1.4.0"). A version that is not
 * dotted numbers (a developer's "dev" build) is never too old.
 */
export function olderThan(version, min) {
  const parse = (v) => {
    const m = /^v?(\d+(?:\.\d+)*)(-.+)?$/.exec(String(v || "").trim());
    return m && { nums: m[1].split(".").map(Number), pre: !!m[2] };
  };
  const v = parse(version);
  const w = parse(min);
  if (!v || !w) return false;
  for (let i = 0; i < Math.max(v.nums.length, w.nums.length); i++) {
    const d = (v.nums[i] || 0) - (w.nums[i] || 0);
    if (d !== 0) return d < 0;
  }
  return v.pre && !w.pre;
}

function handled(promise) {
  promise.catch(() => {});
  return promise;
}

function defaultStorage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null; // storage blocked (third-party frame, privacy mode)
  }
}

// ---------------------------------------------------------------------------
// Phone

/**
 * A connection to the engine with a mirror of its state. Create it with connect().
 */
export class Phone extends Emitter {
  /** @type {string} */ status = "connecting";
  /** The pending pairing request while status is "pairing". */ pairing = null;
  /** read, control, account or admin, once authenticated. */ permission = null;
  /** The origin the engine saw, once authenticated. */ origin = null;
  /** The last error that explains status (not-approved, disconnected). */ lastError = null;
  /** The engine port in use, and whether it is the wss one. */ port = null; secure = false;
  /** The engine's version and protocol, from hello. */ engine = null;
  /** The installer's address the page configured (downloadUrl), or null. */ downloadUrl = null;
  /** The mirror: the hello snapshot with every later event applied. */
  state = { account: null, registration: null, accounts: [], lines: [], selectedLine: 0, devices: null, settings: null, mwi: null, mwiAccounts: [], presence: [], blf: [], levels: null, unreadMessages: 0, chat: false };

  #o;
  #ws = null;
  #nextId = 1;
  #pending = new Map();
  #helloSeq = 0;
  #closed = false;
  #attempt = 0;
  #retryTimer = null;
  #readyResolve;
  #readyReject;
  #subscription = null;
  #wake = null;
  #storage;

  constructor(options = {}) {
    super();
    this.#o = { ...DEFAULTS, ...options, backoff: { ...DEFAULTS.backoff, ...(options.backoff || {}) } };
    this.#storage = options.storage !== undefined ? options.storage : defaultStorage();
    this.downloadUrl = this.#o.downloadUrl || null;
    if (options.subscribe) this.#subscription = { ...options.subscribe };
    /** Resolves with the snapshot at the first hello. */
    this.ready = handled(new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    }));
    queueMicrotask(() => this.#run());
  }

  // -- connection loop -------------------------------------------------------

  async #run() {
    while (!this.#closed) {
      const outcome = await this.#cycle();
      if (this.#closed) return;
      if (outcome === "wait-gesture") {
        await new Promise((resolve) => { this.#wake = resolve; });
        continue;
      }
      if (!this.#o.reconnect && outcome !== "retry-now") {
        if (this.status !== "closed") this.#setStatus(this.status);
        return;
      }
      if (outcome !== "retry-now") await this.#backoff(outcome === "slow");
    }
  }

  async #backoff(slow) {
    const { min, max } = this.#o.backoff;
    const cap = Math.min(max, min * 2 ** Math.min(this.#attempt++, 16));
    const ms = slow ? max : Math.random() * cap;
    await new Promise((resolve) => {
      this.#retryTimer = setTimeout(resolve, ms);
      this.#wake = resolve;
    });
    this.#retryTimer = null;
  }

  /** One attempt at finding the engine and staying connected; says how to go on. */
  async #cycle() {
    const lna = await lnaState();
    if (this.#closed) return "stop";
    if (lna === "denied") {
      const { framed, frameAllowed } = framing();
      this.#setStatus(framed && frameAllowed !== true ? "iframe-blocked" : "permission-denied");
      return "slow";
    }
    if (lna === "prompt" && !this.#o.connectOnPrompt && !this.#gesture) {
      this.#setStatus("permission-needed");
      return "wait-gesture";
    }
    this.#gesture = false;
    if (this.status !== "pairing") this.#setStatus("connecting");
    let sawServer = false;
    for (const ep of endpoints(this.#o)) {
      if (this.#closed) return "stop";
      const r = await this.#session(ep);
      if (r === "done" || r === "stop") return r === "stop" ? "stop" : "retry";
      if (r === "policy") return "slow";
      if (r === "refused-open") sawServer ||= await listening(ep.scheme === "wss" ? "https" : "http", this.#o.host, ep.port);
    }
    if (sawServer) {
      this.lastError = new WpsError("forbidden", "the engine refused this page (origin not approved)");
      this.#setStatus("not-approved");
    } else {
      this.#setStatus("not-running");
    }
    return "retry";
  }

  #gesture = false;

  /**
   * Runs one WebSocket session on ep. Resolves with "refused-open" (never opened),
   * "not-wpservice", "policy" (closed by the engine's policy: pairing denied...),
   * "done" (was connected, then dropped) or "stop" (close() was called).
   */
  #session(ep) {
    return new Promise((settle) => {
      let settled = false;
      const resolve = (v) => {
        if (!settled) {
          settled = true;
          settle(v);
        }
      };
      const WS = this.#o.WebSocket || globalThis.WebSocket;
      if (typeof WS !== "function") {
        this.lastError = new WpsError("unavailable", "no WebSocket implementation (pass options.WebSocket)");
        resolve("refused-open");
        return;
      }
      let url = `${ep.scheme}://${hostPart(this.#o.host)}:${ep.port}/ws`;
      if (this.#o.token) url += `?token=${encodeURIComponent(this.#o.token)}`;
      let ws;
      try {
        ws = new WS(url);
      } catch (e) {
        this.lastError = new WpsError("unavailable", String(e?.message || e));
        resolve("refused-open");
        return;
      }
      this.#ws = ws;
      // Only the current socket owns the connection: a late event of an abandoned one
      // must not clear the next session's socket or fail its commands.
      const release = () => {
        if (this.#ws !== ws) return false;
        this.#ws = null;
        return true;
      };
      let opened = false;
      let connected = false;
      let policy = null;
      let sentStoredToken = false;
      const authId = () => `auth-${this.#nextId++}`;
      let currentAuth = null;

      const sendAuth = (token) => {
        currentAuth = authId();
        sentStoredToken = !!token;
        const args = { token: token || "" };
        if (this.#o.permission) args.permission = this.#o.permission;
        ws.send(JSON.stringify({ id: currentAuth, cmd: "auth", args }));
      };

      ws.onopen = () => {
        if (settled) return;
        opened = true;
        this.port = ep.port;
        this.secure = ep.scheme === "wss";
        // A program with the token is admitted by the handshake; a browser sends auth first.
        if (!this.#o.token) sendAuth(this.#loadToken());
      };
      ws.onmessage = (m) => {
        if (settled) return;
        let msg;
        try {
          msg = JSON.parse(typeof m.data === "string" ? m.data : String(m.data));
        } catch {
          return;
        }
        if (msg.event !== undefined) {
          if (msg.event === "hello") {
            if (msg.data?.engine !== "wpservice") {
              // Something else answers on this port: try the next one.
              this.lastError = new WpsError("unavailable", `port ${ep.port} is not wpservice (${msg.data?.engine || "unknown"})`);
              release();
              try { ws.close(1000, "not wpservice"); } catch { /* already closing */ }
              resolve("not-wpservice");
              return;
            }
            if (olderThan(msg.data?.version, this.#o.minVersion)) {
              // Too old for this page: say so, and look again slowly, for the update.
              const h = msg.data;
              this.engine = { engine: h.engine, version: h.version, protocol: h.protocol };
              this.lastError = new WpsError("update_needed",
                `the engine is version ${h.version}; this page needs ${this.#o.minVersion} or later`,
                { version: h.version, minVersion: this.#o.minVersion, downloadUrl: this.downloadUrl });
              release();
              try { ws.close(1000, "update needed"); } catch { /* already closing */ }
              this.#setStatus("update-needed");
              resolve("policy");
              return;
            }
            connected = true;
            this.#hello(msg);
          } else if (msg.event === "paired") {
            this.#storeToken(msg.data?.token);
            this.permission = msg.data?.permission || this.permission;
            this.pairing = null;
            this.emit("paired", { origin: msg.data?.origin, permission: this.permission }); // never the token
          } else {
            this.#event(msg);
          }
          return;
        }
        if (msg.id !== undefined && msg.id === currentAuth) {
          this.#authReply(msg, sendAuth, sentStoredToken, (p) => { policy = p; });
          return;
        }
        const p = this.#pending.get(msg.id);
        if (!p) return;
        this.#pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result ?? {});
        else p.reject(new WpsError(msg.error?.code || "internal", msg.error?.message, msg.error?.data));
      };
      // Some implementations (Node's undici) report a refused connection with
      // an error and no close event.
      ws.onerror = () => {
        if (!opened) {
          release();
          resolve("refused-open");
        }
      };
      ws.onclose = (e) => {
        if (settled) return; // abandoned: refused, or not wpservice
        if (release()) this.#failPending(this.#closed ? "closed" : "disconnected");
        if (this.#closed) {
          resolve("stop");
          return;
        }
        if (!opened) {
          resolve("refused-open");
          return;
        }
        if (e.code === 1008 || policy) {
          this.lastError = policy || new WpsError("forbidden", e.reason || "closed by the engine's policy");
          this.pairing = null; // denied or expired: no request waits any more
          this.#setStatus("not-approved");
          resolve("policy");
          return;
        }
        if (connected) {
          this.lastError = new WpsError("disconnected", `connection closed (${e.code}${e.reason ? " " + e.reason : ""})`);
          this.#setStatus("disconnected");
          resolve("done");
          return;
        }
        resolve("refused-open");
      };
    });
  }

  #authReply(msg, sendAuth, sentStoredToken, setPolicy) {
    if (msg.ok) {
      this.permission = msg.result?.permission || null;
      this.origin = msg.result?.origin ?? null;
      this.pairing = null;
      return;
    }
    const err = new WpsError(msg.error?.code || "internal", msg.error?.message, msg.error?.data);
    switch (err.code) {
      case "pairing_required":
        this.pairing = err.data || null;
        this.lastError = err;
        this.#setStatus("pairing");
        return;
      case "unauthorized":
        if (sentStoredToken) {
          this.#storeToken(null); // stale: ask the user again
          sendAuth("");
          return;
        }
        break;
    }
    this.lastError = err;
    setPolicy(err);
  }

  #tokenKey() {
    return `wpservice.token:${this.#o.host}:${this.port}`;
  }

  #loadToken() {
    try {
      return this.#storage?.getItem(this.#tokenKey()) || "";
    } catch {
      return "";
    }
  }

  #storeToken(token) {
    try {
      if (token) this.#storage?.setItem(this.#tokenKey(), token);
      else this.#storage?.removeItem(this.#tokenKey());
    } catch { /* storage blocked: the page pairs again next time */ }
  }

  // -- mirror ----------------------------------------------------------------

  #hello(msg) {
    const h = msg.data || {};
    const s = h.snapshot || {};
    this.#helloSeq = msg.seq || 0;
    this.engine = { engine: h.engine, version: h.version, protocol: h.protocol };
    this.state = {
      account: s.account || null,
      registration: s.registration || null,
      accounts: s.accounts || [],
      lines: [...(s.lines || [])].sort((a, b) => a.line - b.line),
      selectedLine: s.selectedLine || 0,
      devices: s.devices || null,
      settings: s.settings || null,
      mwi: s.mwi || null,
      mwiAccounts: [...(s.mwiAccounts || [])],
      presence: [...(s.presence || [])],
      blf: [...(s.blf || [])],
      levels: null,
      unreadMessages: s.unreadMessages || 0,
      chat: s.chat === true,
    };
    this.#attempt = 0;
    this.lastError = null;
    this.pairing = null;
    this.#setStatus("connected");
    if (this.#subscription) {
      this.send("events.subscribe", this.#subscription).catch(() => {});
    }
    this.#readyResolve(this.state);
    this.emit("hello", h, msg);
    this.emit("state", this.state);
  }

  #event(msg) {
    if (msg.seq && msg.seq <= this.#helloSeq) return;
    const d = msg.data;
    const st = this.state;
    let changed = true;
    switch (msg.event) {
      case "call.state": {
        const i = st.lines.findIndex((c) => c.callId === d.callId);
        if (d.state === "ended") {
          if (i >= 0) st.lines.splice(i, 1);
        } else if (i >= 0) {
          st.lines[i] = d;
        } else {
          st.lines.push(d);
          st.lines.sort((a, b) => a.line - b.line);
        }
        break;
      }
      case "reg.state": regState(st, d); break;
      case "account.changed": st.account = d; break;
      case "accounts.changed": st.accounts = d?.accounts || []; break;
      case "settings.changed": st.settings = d; break;
      case "mwi.state": if (d?.account) st.mwiAccounts = byAccount(st.mwiAccounts, d); else st.mwi = d; break;
      case "presence.state": st.presence = byContact(st.presence, d); break;
      case "blf.state": st.blf = byContact(st.blf, d); break;
      case "line.selected": st.selectedLine = d?.line || 0; break;
      case "devices.changed": st.devices = d; break;
      case "audio.level": st.levels = d; break;
      case "chat.unread": st.unreadMessages = d?.unread || 0; break;
      case "session.lagged": changed = false; break; // the engine closes with 1013; we resync on reconnect
      case "permission": this.permission = d?.permission || this.permission; changed = false; break;
      default: changed = false;
    }
    this.emit(msg.event, d, msg);
    if (changed) this.emit("state", st);
  }

  #setStatus(s) {
    const was = this.status;
    this.status = s;
    if (was !== s) this.emit("status", s, this);
  }

  #failPending(code) {
    for (const [, p] of this.#pending) p.reject(new WpsError(code, `the command was not answered: ${code}`));
    this.#pending.clear();
  }

  // -- public API --------------------------------------------------------------

  /**
   * Runs one command. Resolves with its result; rejects with a WpsError. With
   * {wait: true} it waits for the connection instead of failing with not_connected.
   */
  send(cmd, args, opts = {}) {
    return handled(this.#send(cmd, args, opts));
  }

  async #send(cmd, args, opts) {
    if (this.#closed) throw new WpsError("closed", "the phone was closed");
    if (this.status !== "connected" || !this.#ws) {
      if (!opts.wait) throw new WpsError("not_connected", `not connected (${this.status})`);
      await this.ready;
      while (this.status !== "connected" && !this.#closed) await this.once("status");
      if (this.#closed) throw new WpsError("closed", "the phone was closed");
    }
    const id = String(this.#nextId++);
    const reply = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    try {
      this.#ws.send(JSON.stringify(args === undefined ? { id, cmd } : { id, cmd, args }));
    } catch (e) {
      this.#pending.delete(id);
      throw new WpsError("disconnected", String(e?.message || e));
    }
    return reply;
  }

  /** Retries at once; call it from a click when status is permission-needed. */
  connectNow() {
    this.#gesture = true;
    this.#attempt = 0;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Closes the connection for good: no reconnect. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#wake?.();
    try {
      this.#ws?.close(1000, "client closing");
    } catch { /* already closed */ }
    this.#failPending("closed");
    this.#readyReject(new WpsError("closed", "the phone was closed"));
    this.#setStatus("closed");
  }

  /** The call on a line or with a call id, from the mirror. */
  call(lineOrCallId) {
    return this.state.lines.find((c) => c.line === lineOrCallId || c.callId === lineOrCallId);
  }

  dial(to, opts = {}) {
    const args = { to };
    if (opts.line) args.line = opts.line;
    if (opts.headers && Object.keys(opts.headers).length) args.headers = opts.headers;
    if (opts.conference) args.conference = true;
    if (opts.account) args.account = String(opts.account);
    return this.send("call.dial", args);
  }

  answer(r) { return this.send("call.answer", ref(r)); }
  reject(r, code) { return this.send("call.reject", code ? { ...ref(r), code } : ref(r)); }
  hangup(r) { return this.send("call.hangup", r && r.all ? { all: true } : ref(r)); }
  dtmf(digits, r) { return this.send("call.dtmf", { ...ref(r), digits: String(digits ?? "") }); }
  mute(on, r) { return this.send("call.mute", { ...ref(r), mute: !!on }); }
  hold(on, r) { return this.send("call.hold", { ...ref(r), hold: !!on }); }
  ignore(r) { return this.send("call.ignore", ref(r)); }
  transfer(target, r) {
    const to = target && typeof target === "object" ? { consultCallId: String(target.consultCallId ?? "") } : { target: String(target ?? "") };
    return this.send("call.transfer", { ...ref(r), ...to });
  }
  referral(accept, r) { return this.send("call.referral", { ...ref(r), accept: !!accept }); }
  stats(r) { return this.send("call.stats", ref(r)); }
  /** Forwards a ringing incoming call with 302 to target (a URI, user or number). */
  forward(target, r) { return this.send("call.forward", { ...ref(r), target: String(target ?? "") }); }
  selectLine(line) { return this.send("line.select", { line }); }
  conferenceAdd(r) { return this.send("conference.add", ref(r)); }
  conferenceRemove(r) { return this.send("conference.remove", ref(r)); }
  conferenceHold(on) { return this.send(on === false ? "conference.resume" : "conference.hold"); }
  conferenceSplit() { return this.send("conference.split"); }
  setAccount(fields) { return this.send("account.set", fields || {}); }
  /** Every account, the default first, each with its id and registration. */
  async listAccounts() { return (await this.send("accounts.list")).accounts; }
  /** Adds an account besides the default; resolves with it, its id included. */
  addAccount(fields) { return this.send("account.add", fields || {}); }
  updateAccount(id, fields) { return this.send("account.update", { ...(fields || {}), id: String(id) }); }
  removeAccount(id) { return this.send("account.remove", { id: String(id) }); }

  /**
   * Asks the user for more permission ("account": to set up the phone account) and
   * resolves with this connection's permission once the user answered: still
   * "control" when the user refused or allowed calls only. It rejects with the
   * engine's error (rate_limited after a recent refusal) or "timeout" when nobody
   * answered before the request lapsed. A connection that has it resolves at once.
   */
  async requestPermission(permission) {
    if (permRank(this.permission) >= permRank(permission)) return this.permission;
    let off = () => {};
    let timer;
    const answered = new Promise((resolve) => {
      off = this.on("permission", (d) => resolve(d?.permission));
    });
    try {
      const req = await this.send("pair.request", { permission });
      const lapse = new Promise((_, reject) => {
        const ms = Math.max(Date.parse(req.expires) - Date.now(), 0) + 1000;
        timer = setTimeout(() => reject(new WpsError("timeout", "nobody answered the request in time")), ms);
      });
      return await Promise.race([answered, lapse]);
    } finally {
      off();
      clearTimeout(timer);
    }
  }
  getAccount() { return this.send("account.get"); }
  register() { return this.send("register"); }
  unregister() { return this.send("unregister"); }
  setSettings(fields) { return this.send("settings.set", fields || {}); }
  listDevices() { return this.send("devices.list"); }
  selectDevices(sel) { return this.send("devices.select", sel || {}); }
  setVolume(vol) { return this.send("devices.volume", vol || {}); }
  /** One page of the call history the engine keeps, newest first (docs/protocol.md 4.23). */
  listHistory(query) { return this.send("history.list", query || {}); }
  deleteHistory(id) { return this.send("history.delete", { id }); }
  clearHistory() { return this.send("history.clear"); }
  /**
   * Sends an instant message (SIP MESSAGE) to a number, user or URI, from the account
   * with id account (accounts.list; omitted: the default); resolves with { id, peer }
   * once it is stored; chat.status tells its delivery (docs/protocol.md 4.24a).
   */
  sendChat(to, text, account) {
    const args = { to: String(to ?? ""), text: String(text ?? "") };
    if (account) args.account = String(account);
    return this.send("chat.send", args);
  }
  /** One page of messages, newest first: of the conversation with peer, or of all; of one account with query.account. */
  listChat(query) { return this.send("chat.list", query || {}); }
  /** Every conversation, the latest first, with its last message and unread count; of one account with its id. */
  conversations(account) { return this.send("chat.conversations", account ? { account: String(account) } : {}); }
  /** Marks the conversation with peer read. */
  readChat(peer) { return this.send("chat.read", { peer: String(peer ?? "") }); }
  /** Deletes a message (by its numeric id) or a whole conversation (by its peer). */
  deleteChat(idOrPeer) { return this.send("chat.delete", typeof idOrPeer === "number" ? { id: idOrPeer } : { peer: String(idOrPeer ?? "") }); }
  /**
   * Plays a WAV file of the engine's sounds folder, by name (docs/protocol.md 4.24e):
   * on the speaker, or with toPeer into the call (line, or the calls the user is in).
   */
  play(file, opts) {
    const args = { file: String(file ?? "") };
    if (opts?.loop) args.loop = true;
    if (opts?.toPeer) args.toPeer = true;
    if (opts?.line) args.line = opts.line;
    return this.send("audio.play", args);
  }
  stopPlay() { return this.send("audio.stop"); }
  /** The WAV files of the engine's sounds folder, by name. */
  listSounds() { return this.send("sounds.list"); }
  /** Starts (on true) or stops a call's recording; resolves with its file's name. */
  record(on, r) { return this.send("call.record", { ...ref(r), action: on === false ? "stop" : "start" }); }

  /** Switches the opt-in events (log, sipTrace, levels, statsInterval); kept across reconnects. */
  subscribe(opts) {
    this.#subscription = { log: !!opts?.log, sipTrace: !!opts?.sipTrace, levels: !!opts?.levels };
    if (opts?.statsInterval) this.#subscription.statsInterval = opts.statsInterval;
    return this.send("events.subscribe", this.#subscription);
  }
}

/**
 * Connects to the engine and returns the Phone at once; phone.ready resolves at the
 * first hello. See docs/javascript-api.md for the options.
 */
export function connect(options = {}) {
  return new Phone(options);
}
