// webphone_api.js: the Mizu WebPhone API ("NS engine") on top of wpservice.js.
//
// Pages written for the Mizu WebPhone call webphone_api.setparameter(), .call(),
// .onCallStateChange(fn) and so on. This module offers the same names, argument
// conventions, return values and callbacks, driving the wpservice engine. Functions
// never throw; synchronous getters answer from the client's state mirror. What each
// function maps to, and the errata decisions, are in docs/javascript-api.md.
import { connect, WpsError } from "./wpservice.js";
import { DIAL_FAILED, mizuCallStatus, mizuLineStatus, talkTime, voicemailText } from "./texts.js";
import { applyExtraAccounts, isExtraAccount, parseExtraAccounts } from "./webphone_accounts.js";
import { SETTING_PARAMS, codecsOf, holdAllowed, settingsFromParams, transportOf } from "./webphone_params.js";
import { PRESENCE_STATUSES, blfArgs, blfNotification, mizuSees, presenceArgs, presenceNotification, usersOf, watchUsers } from "./webphone_presence.js";

const ENGINE_NAME = "ns";
const NOT_SUPPORTED = "ERROR, not supported by this engine";
const PARAM_PREFIX = "wpservice.webphone.param:";
const HISTORY_KEY = "wpservice.webphone.history"; // where older versions kept the history: delsettings(2) removes it
const HISTORY_PAGE = 200; // records of the engine's history listcallhistory answers from
const CONTACTS_KEY = "wpservice.webphone.contacts";
const MAX_LOG = 500;
const MAX_SIP = 60;
const MAX_QUEUE = 50;

/**
 * Mizu parameter name -> engine account field. `sipusername` is Mizu's name of the
 * auth user name, `authusername` an older one (sipusername wins when both are set);
 * `transport` is read by transportOf; `codec`, `prefcodec`, the `use_<codec>` ones
 * and `alwaysallowlowcodec` by codecsOf.
 */
const ACCOUNT_PARAMS = {
  serveraddress: "server", username: "username", password: "password", displayname: "displayName",
  authusername: "authUsername", sipusername: "authUsername", proxyaddress: "outboundProxy", registerinterval: "registerInterval",
};

// ---------------------------------------------------------------------------
// storage and small helpers

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}

function readJSON(key, fallback) {
  try {
    const v = storage()?.getItem(key);
    return v ? JSON.parse(v) : fallback;
  } catch {
    return fallback;
  }
}

function writeJSON(key, v) {
  try {
    storage()?.setItem(key, JSON.stringify(v));
  } catch { /* storage full or blocked */ }
}

const str = (v) => (v === undefined || v === null ? "" : String(v));
/** Mizu's flags: true, 1 and "1"/"true" are on; anything else off. */
const truthy = (v) => v === true || v === 1 || /^(1|true)$/i.test(str(v).trim());
const trimName = (name) => str(name).trim().toLowerCase();

/**
 * Mizu's `mediaencryption` -> the account's SRTP policy: 0 none, 1 SRTP when the peer
 * takes it, 2 SRTP only, -1 (Mizu's default) SRTP when the peer takes it on TLS, none
 * otherwise. Anything else leaves the account's policy as it is ("").
 */
function mediaEncryption(value, transport) {
  switch (str(value).trim()) {
    case "0": return "off";
    case "1": return "optional";
    case "2": return "mandatory";
    case "-1": return transport === "tls" ? "optional" : "off";
    default: return "";
  }
}

/** Runs fn and returns fallback instead of ever throwing. */
function safe(fallback, fn) {
  return (...args) => {
    try {
      const r = fn(...args);
      if (r && typeof r.catch === "function") r.catch(() => {});
      return r;
    } catch {
      return fallback;
    }
  };
}

function callback(cb, value) {
  if (typeof cb !== "function") return;
  setTimeout(() => {
    try {
      cb(value);
    } catch (e) {
      setTimeout(() => { throw e; });
    }
  });
}

// ---------------------------------------------------------------------------
// the implementation

class WebphoneAPI {
  parameters = {};          // webphone_config.js style: webphone_api.parameters = {...}
  phone = null;
  appState = "";
  line = -1;                // the line chosen with setline; -1 = the best one
  headers = {};             // setsipheader, global
  sipMessages = [];         // recent SIP traces: { dir, text, callId }
  logs = [];
  lastCallDetails = "";
  lastRegFailReason = "";
  queue = [];
  /** Callbacks of checkpresence and checkblf waiting for a user's next state. */
  stateWaiters = [];
  callbacks = new Map();    // kind -> functions
  calls = new Map();        // callId -> the last call event reported: { event }
  history = new Map();      // the engine's call history, newest HISTORY_PAGE records: id -> record
  sent = new Set();         // one-time STATUS texts already sent, "callId:text"
  chats = new Map();        // our messages on their way: engine id -> the number sendchat named, or the chat.status that came first

  constructor() {
    // "loaded" once the page's own scripts (webphone_config.js) have run.
    if (typeof document !== "undefined" && document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => this.loaded(), { once: true });
    } else {
      setTimeout(() => this.loaded());
    }
  }

  // -- callbacks --------------------------------------------------------------

  subscribe(kind, fn) {
    if (fn === null) {
      this.callbacks.delete(kind);
      return;
    }
    if (typeof fn !== "function") return;
    if (!this.callbacks.has(kind)) this.callbacks.set(kind, []);
    this.callbacks.get(kind).push(fn);
  }

  fire(kind, ...args) {
    for (const fn of this.callbacks.get(kind) || []) {
      try {
        fn(...args);
      } catch (e) {
        setTimeout(() => { throw e; });
      }
    }
  }

  log(text) {
    const line = `${new Date().toISOString()} ${text}`;
    this.logs.push(line);
    if (this.logs.length > MAX_LOG) this.logs.shift();
    this.fire("event", "log", line);
    this.fire("log", line);
  }

  display(title, text) {
    const msg = `${str(title)},${str(text)}`;
    this.fire("event", "display", msg);
    this.fire("display", msg);
  }

  notify(notification) {
    this.fire("event", "event", notification);
    this.fire("events", notification);
  }

  // -- parameters ---------------------------------------------------------------

  param(name) {
    const n = trimName(name);
    const stored = storage()?.getItem?.(PARAM_PREFIX + n);
    if (stored !== null && stored !== undefined) return stored;
    for (const [k, v] of Object.entries(this.parameters || {})) {
      if (trimName(k) === n) return str(v);
    }
    return "";
  }

  setparameter(name, value, allowempty = true) {
    const n = trimName(name);
    if (!n) return false;
    let v = str(value);
    if (v === "" && allowempty === false) return false;
    if (v === "NULL") v = "";
    try {
      if (v === "") storage()?.removeItem(PARAM_PREFIX + n);
      else storage()?.setItem(PARAM_PREFIX + n, v);
    } catch { /* not persisted */ }
    this.parameters[n] = v;
    if (n === "customsipheader") this.setsipheader(v);
    if (Object.hasOwn(SETTING_PARAMS, n) && this.phone?.status === "connected") this.applySettings(this.phone);
    return true;
  }

  /**
   * Sends the parameters that set engine settings (autohold, autoaccept, dnd,
   * blacklist, callforward*, ringtimeout...) where they differ from the engine's.
   * Those that need an admin connection go on their own, so that their refusal
   * to another connection leaves the others applied; it is logged (getlogs).
   */
  applySettings(ph) {
    const { control, admin } = settingsFromParams((n) => this.param(n), ph.state.settings);
    for (const fields of [control, admin]) {
      if (!Object.keys(fields).length) continue;
      ph.setSettings(fields).catch((e) => this.log(`settings ${Object.keys(fields).join(", ")} failed: ${e.code} ${str(e.message)}`));
    }
  }

  // -- lifecycle ----------------------------------------------------------------

  loaded() {
    this.appState = "loaded";
    this.fire("appstate", "loaded");
    this.fire("loaded");
    if (this.param("autostart") !== "0") this.start();
  }

  /** Connection options: wpservice's own parameters (docs/javascript-api.md). */
  connectOptions() {
    const o = { subscribe: { sipTrace: true } };
    const ports = this.param("engineports").split(",").map((p) => Number(p.trim())).filter((p) => p > 0 && p < 65536);
    if (ports.length) o.ports = ports;
    if (this.param("enginehost")) o.host = this.param("enginehost");
    if (this.param("enginetoken")) o.token = this.param("enginetoken"); // programs only, never in a web page
    if (this.param("enginesecure")) o.secure = this.param("enginesecure") === "auto" ? "auto" : this.param("enginesecure") === "1";
    // Mizu's minserviceversion: the oldest engine the page works with; its negative
    // values (-2 never ask to upgrade, -3 nor to install) ask for none.
    const min = this.param("minserviceversion").trim();
    if (min && !min.startsWith("-")) o.minVersion = min;
    if (this.param("enginedownloadurl") && min !== "-3") o.downloadUrl = this.param("enginedownloadurl");
    // A page that brings its account asks, when it pairs, to set up the phone account too.
    if (this.setsAccount()) o.permission = "account";
    return o;
  }

  start() {
    if (this.phone) return true;
    this.phone = connect(this.connectOptions());
    const ph = this.phone;
    ph.on("status", (s) => this.onStatus(s));
    ph.on("reg.state", (r) => this.onReg(r));
    ph.on("call.state", (c) => this.onCall(c));
    ph.on("call.dtmf", (d) => this.onDTMF(d));
    ph.on("mwi.state", (m) => this.onMWI(m));
    ph.on("presence.state", (st) => this.onPresence(st));
    ph.on("blf.state", (st) => this.onBLF(st));
    ph.on("call.cdr", (r) => this.onRecord(r));
    ph.on("chat.message", (m) => this.onChatMessage(m));
    ph.on("chat.status", (s) => this.onChatStatus(s));
    ph.on("sip.trace", (t) => this.onTrace(t));
    ph.on("hello", () => this.onHello());
    ph.on("paired", (p) => { this.pairedAs = p?.permission || ""; });
    return true;
  }

  stop() {
    const ph = this.phone;
    if (!ph) return true;
    const done = () => {
      ph.close();
      this.phone = null;
      this.appState = "stopped";
      this.fire("appstate", "stopped");
      this.fire("stop");
    };
    if (ph.status === "connected") ph.unregister().then(done, done);
    else done();
    return true;
  }

  /** Runs op now when the engine is connected, else queues it (and starts implicitly). */
  whenStarted(op) {
    this.start();
    if (this.phone?.status === "connected") {
      op(this.phone);
    } else {
      this.queue.push(op);
      if (this.queue.length > MAX_QUEUE) this.queue.shift(); // a page calling in a loop while the engine is away
    }
    return true;
  }

  onStatus(s) {
    this.log(`engine status: ${s}`);
    switch (s) {
      case "pairing": {
        const origin = this.phone?.pairing?.origin || "this site";
        this.display("", `Approve ${origin} in wpservice (its page at http://127.0.0.1:18620/, or: wpservice pair approve ${origin})`);
        break;
      }
      case "not-running": {
        const url = this.phone?.downloadUrl;
        this.display("", "The wpservice engine is not running on this computer. " +
          (url ? `Install it from ${url}, or start it.` : "Install or start it."));
        break;
      }
      case "update-needed": {
        const url = this.phone?.downloadUrl;
        const e = this.phone?.lastError?.data || {};
        this.display("", `This page needs wpservice ${e.minVersion} or later; this computer has ${e.version}. ` +
          (url ? `Update it from ${url}.` : "Update it."));
        break;
      }
      case "permission-needed":
        this.display("", "Allow this site to connect to the local phone engine (the browser asks), then try again.");
        break;
      case "permission-denied":
      case "iframe-blocked":
        this.display("", "The browser blocks this page from reaching the local phone engine (Local Network Access).");
        break;
      case "not-approved":
        this.display("", "This site is not approved in wpservice.");
        break;
    }
  }

  onHello() {
    if (this.appState !== "started") {
      this.appState = "started";
      this.fire("appstate", "started");
      this.fire("start");
      this.notify("START,api");
      this.notify("START,sip");
      if (this.param("serveraddress") && this.param("username") && this.param("register") !== "0") this.register();
      else if (this.param("extraregisteraccounts")) this.registerex(this.param("extraregisteraccounts"));
    }
    if (this.phone) {
      this.applySettings(this.phone);
      this.loadHistory(this.phone);
    }
    const pending = this.queue.splice(0);
    for (const op of pending) {
      try {
        op(this.phone);
      } catch { /* never throw */ }
    }
    this.emitStatus();
  }

  // -- registration ----------------------------------------------------------------

  accountFromParams() {
    const fields = {};
    for (const [p, f] of Object.entries(ACCOUNT_PARAMS)) {
      const v = this.param(p);
      if (v === "" || (p === "authusername" && this.param("sipusername") !== "")) continue;
      fields[f] = f === "registerInterval" ? Number(v) || 0 : v;
    }
    const transport = transportOf(this.param("transport"));
    if (transport) fields.transport = transport;
    const { codecs, unsupported } = codecsOf(this.param("codec"), this.param("prefcodec"), (p) => this.param(p), this.param("alwaysallowlowcodec"));
    if (unsupported.length) this.log(`codec ${unsupported.join(", ")} not supported by the engine (PCMU, PCMA, G722, opus): left out`);
    if (codecs) fields.codecs = codecs;
    const enc = mediaEncryption(this.param("mediaencryption"), fields.transport ?? this.phone?.state.account?.transport);
    if (enc) fields.mediaEncryption = enc;
    return fields;
  }

  /** Whether the page gives a SIP account (serveraddress, username or password). */
  setsAccount() {
    return ["serveraddress", "username", "password"].some((p) => this.param(p) !== "");
  }

  /**
   * Makes sure this site may set up the phone account: a site the user paired for
   * calls only asks the user now (the engine shows "… wants to set up your phone
   * account"). It throws a "forbidden" WpsError when the user refuses, or refused a
   * moment ago when the site asked for it at pairing (never asked twice in a row).
   */
  async askAccountPermission(ph) {
    if (ph.permission !== "control") return; // account or admin: allowed; read: refused below
    const refused = () => new WpsError("forbidden",
      "the user did not allow this site to set up the phone account in wpservice");
    if (this.pairedAs === "control") throw refused(); // just allowed calls only
    const site = ph.origin || "this site";
    this.display("", `Allow ${site} to set up your phone account in wpservice (its page at http://127.0.0.1:18620/, or: wpservice pair approve --account ${site})`);
    let granted;
    try {
      granted = await ph.requestPermission("account");
    } catch (e) {
      if (e.code === "invalid_state") return; // set by the administrator: account.set answers
      if (e.code === "rate_limited" || e.code === "timeout") throw refused();
      throw e;
    }
    if (granted !== "account" && granted !== "admin") throw refused();
    this.display("", "");
  }

  /** Sends account.set when the parameters differ from the engine's account. */
  async applyAccount(ph) {
    const want = this.accountFromParams();
    const have = ph.state.account || {};
    // A password cannot be compared (the engine never returns it): giving one always sets it.
    const current = (k) => (k === "mediaEncryption" ? have[k] || "off" : have[k]); // none set is plain RTP
    const same = (k, v) => (Array.isArray(v) ? String(current(k)) === String(v) : current(k) === v);
    const differs = Object.entries(want).some(([k, v]) => k === "password" || !same(k, v));
    if (!Object.keys(want).length || !differs) return;
    // The engine keeps the password; a page may change the account when the user let
    // it (the account permission) or the administrator made its origin an admin
    // origin (docs/security.md).
    const sameAccount = have.server === want.server && have.username === want.username && have.hasPassword;
    if (!sameAccount) await this.askAccountPermission(ph);
    try {
      await ph.setAccount({ ...want, register: false });
    } catch (e) {
      if (e.code === "forbidden" && sameAccount) return; // already configured by the user or administrator
      throw e;
    }
  }

  /** Registers the main account, and the extraregisteraccounts beside it. */
  register() {
    const done = this.whenStarted((ph) => {
      this.registering = this.registerOn(ph);
    });
    if (this.param("extraregisteraccounts")) this.registerex(this.param("extraregisteraccounts"));
    return done;
  }

  /** Sets the main account from the parameters, then registers it. */
  async registerOn(ph) {
    try {
      await this.applyAccount(ph);
      await ph.register();
    } catch (e) {
      this.lastRegFailReason = e.message || String(e);
      this.fire("regstate", "failed", this.lastRegFailReason);
      this.fire("registerfailed", this.lastRegFailReason);
      this.notify(`REGISTER,0,2,Register Failed,true,,${this.param("username")},${this.lastRegFailReason}`);
    }
  }

  /**
   * Mizu's registerex: the accounts of text ("server,usr,pwd,ival,proxy,realm,authuser;...")
   * register beside the main account and take calls; outgoing calls stay on the main
   * account. Once the main account's parameters are applied, each is added to the
   * engine, or updated when it has it already. False when text names no account.
   */
  registerex(text) {
    const accounts = parseExtraAccounts(text);
    if (!accounts.length) return false;
    return this.whenStarted((ph) => {
      // one after the other, and after the main account: it stays the engine's default
      this.extras = Promise.all([this.extras, this.registering]).then(async () => {
        try {
          await this.askAccountPermission(ph);
          await applyExtraAccounts(ph, accounts);
        } catch (e) {
          this.log(`registerex failed: ${e.code || ""} ${str(e.message)}`.trim());
          this.notify(`REGISTER,0,2,Register Failed,false,,${accounts[0].username},${str(e.message)}`);
        }
      });
    });
  }

  unregister() {
    return this.whenStarted((ph) => ph.unregister());
  }

  onReg(r) {
    if (this.phone && isExtraAccount(this.phone.state, r)) {
      this.onExtraReg(r);
      return;
    }
    const user = this.phone?.state.account?.username || this.param("username");
    switch (r.state) {
      case "registered":
        this.lastRegFailReason = "";
        this.fire("regstate", "registered", "");
        this.fire("registered");
        this.notify(`REGISTER,0,1,Registered,true,,${user},`);
        break;
      case "failed": {
        const reason = r.code ? `${r.code} ${str(r.reason)}`.trim() : str(r.reason) || "Register failed";
        this.lastRegFailReason = reason;
        this.fire("regstate", "failed", reason);
        this.fire("registerfailed", reason);
        this.notify(`REGISTER,0,2,Register Failed,true,,${user},${reason}`);
        break;
      }
      case "unregistered":
        this.fire("regstate", "unregistered", "");
        this.fire("unregistered");
        this.notify(`REGISTER,0,3,Unregistered,true,,${user},`);
        break;
      case "registering":
        this.notify(`REGISTER,0,0,Registering...,true,,${user},`);
        break;
    }
    this.emitStatus();
  }

  /** The registration of an account besides the main one: a REGISTER notification with main false, nothing else. */
  onExtraReg(r) {
    const user = (this.phone.state.accounts || []).find((a) => a.id === r.account)?.username || "";
    const reason = r.code ? `${r.code} ${str(r.reason)}`.trim() : str(r.reason);
    const [code, text] = { registering: [0, "Registering..."], registered: [1, "Registered"], failed: [2, "Register Failed"], unregistered: [3, "Unregistered"] }[r.state] || [];
    if (text) this.notify(`REGISTER,0,${code},${text},false,,${user},${r.state === "failed" ? reason : ""}`);
  }

  // -- lines -----------------------------------------------------------------------

  lines() {
    return this.phone?.state.lines || [];
  }

  /** The call a line-scoped function acts on: setline's choice, else the best line. */
  target(line) {
    const all = this.lines();
    const want = line !== undefined && typeof line === "number" && line > 0 ? line : this.line;
    if (want > 0) return all.find((c) => c.line === want);
    const selected = this.phone?.state.selectedLine;
    return all.find((c) => c.line === selected)
      || all.find((c) => c.state === "active")
      || all.find((c) => c.direction === "incoming")
      || all[0];
  }

  setline(line) {
    if (typeof line === "number" || /^-?\d+$/.test(str(line))) {
      const n = Number(line);
      if (n === -1 || n === -2 || n >= 1) {
        this.line = n;
        if (n >= 1 && this.lines().some((c) => c.line === n)) this.phone?.selectLine(n).catch(() => {});
        return true;
      }
      return false;
    }
    const key = str(line);
    const c = this.lines().find((x) => x.sipCallId === key || x.callId === key || x.peerUser === key || x.peer === key);
    if (!c) return false;
    this.line = c.line;
    this.phone?.selectLine(c.line).catch(() => {});
    return true;
  }

  getline() {
    if (!this.phone) return -1;
    if (this.line >= 1) return this.line;
    return this.target()?.line ?? (this.phone.state.selectedLine || -1);
  }

  // -- calls -------------------------------------------------------------------------

  call(number) {
    const to = str(number).trim();
    if (!to) {
      this.display("", "Invalid phone number or SIP URI or username");
      return false;
    }
    return this.whenStarted((ph) => {
      ph.dial(to, { headers: this.headers }).catch((e) => {
        this.display("", `${DIAL_FAILED}: ${e.message}`);
        this.log(`call ${to} failed: ${e.code}`);
      });
    });
  }

  hangup(line) {
    const n = typeof line === "number" ? line : this.line;
    return this.whenStarted((ph) => {
      if (n === -2) {
        ph.hangup({ all: true }).catch(() => {});
        return;
      }
      const c = this.target(n > 0 ? n : undefined);
      if (c) ph.hangup(c.callId).catch(() => {});
    });
  }

  accept() {
    const c = this.lines().find((x) => x.direction === "incoming" && (x.state === "incoming" || x.state === "ringing") && (this.line < 1 || x.line === this.line));
    if (!c || !this.phone) return false;
    this.phone.answer(c.callId).catch(() => {});
    return true;
  }

  reject() {
    const c = this.lines().find((x) => x.direction === "incoming" && x.state !== "active" && (this.line < 1 || x.line === this.line));
    if (!c || !this.phone) return false;
    this.phone.reject(c.callId).catch(() => {});
    return true;
  }

  ignore() {
    const c = this.lines().find((x) => x.direction === "incoming" && x.state !== "active" && (this.line < 1 || x.line === this.line));
    if (!c || !this.phone) return false;
    this.phone.ignore(c.callId).catch(() => {});
    return true;
  }

  /** Forwards the ringing incoming call (302) to number; false without one. */
  forward(number) {
    const to = str(number).trim();
    const c = this.lines().find((x) => x.direction === "incoming" && (x.state === "incoming" || x.state === "ringing") && (this.line < 1 || x.line === this.line));
    if (!to || !c || !this.phone) return false;
    this.phone.forward(to, c.callId).catch((e) => this.log(`forward ${to} failed: ${e.code}`));
    return true;
  }

  hold(state) {
    const c = this.target();
    if (!c || !this.phone || !holdAllowed(this.param("holdtype"))) return false;
    this.phone.hold(state !== false && state !== 0 && state !== "false", c.callId).catch((e) => this.log(`hold failed: ${e.code}`));
    return true;
  }

  /**
   * Mizu's transfer(number): a blind transfer of the selected call to number, or with
   * '' an attended one between the two active calls: the other call's peer (the one
   * held while the user consulted) is handed to the selected call's party. Mizu's
   * `transfertype` 0 turns transfers off; its other values all get the engine's one
   * mode (hold, REFER, follow the NOTIFYs, disconnect on success).
   */
  transfer(number) {
    if (Number(this.param("transfertype") || -1) === 0) return false;
    const to = str(number).trim();
    const active = this.lines().filter((x) => x.state === "active");
    const c = this.target();
    if (!this.phone || !c || c.state !== "active") return false;
    const failed = (e) => {
      this.display("", `Transfer failed: ${e.message}`);
      this.log(`transfer failed: ${e.code}`);
    };
    if (to) {
      this.phone.transfer(to, c.callId).catch(failed);
      return true;
    }
    const other = active.find((x) => x.callId !== c.callId);
    if (!other) return false;
    this.phone.transfer({ consultCallId: c.callId }, other.callId).catch(failed);
    return true;
  }

  /**
   * Mizu's conference(number, add): '' (or -2) joins every active call into the local
   * conference (at least two) and conference('', false) splits it back into lines; a
   * line number 1..9 adds that line's call (add false removes it); any other number is
   * dialed into the conference, which needs a call in progress, and with add false
   * the member talking to that peer leaves. `conferencetype` 0 turns conferences off.
   */
  conference(number, add) {
    if (Number(this.param("conferencetype") || -1) === 0 || !this.phone) return false;
    const ph = this.phone;
    const join = !(add === false || add === 0 || add === "false" || add === "0");
    const to = str(number).trim();
    const all = this.lines();
    const active = all.filter((x) => x.state === "active");
    const failed = (e) => {
      this.display("", `Conference failed: ${e.message}`);
      this.log(`conference failed: ${e.code}`);
    };
    if (!to || to === "-2") {
      if (!join) {
        if (!all.some((x) => x.conference)) return false;
        ph.conferenceSplit().catch(failed);
        return true;
      }
      if (active.length < 2) return false;
      const first = active.find((x) => x.line === ph.state.selectedLine) || active[0];
      let chain = first.line === ph.state.selectedLine ? Promise.resolve() : ph.selectLine(first.line);
      for (const c of active) {
        if (c !== first && !c.conference) chain = chain.then(() => ph.conferenceAdd(c.callId));
      }
      chain.catch(failed);
      return true;
    }
    if (/^[1-9]$/.test(to)) {
      const c = all.find((x) => x.line === Number(to));
      if (!c) return false;
      (join ? ph.conferenceAdd(c.callId) : ph.conferenceRemove(c.callId)).catch(failed);
      return true;
    }
    if (!join) {
      const c = all.find((x) => x.conference && (x.peerUser === to || x.peer === to));
      if (!c) return false;
      ph.conferenceRemove(c.callId).catch(failed);
      return true;
    }
    if (!active.length) return false;
    ph.dial(to, { headers: this.headers, conference: true }).catch(failed);
    return true;
  }

  mute(state, direction) {
    const c = this.target();
    const dir = direction === undefined || direction === null ? 2 : Number(direction);
    if (!c || !this.phone || dir === 1) return false; // 1 = the speaker: not supported
    this.phone.mute(state !== false && state !== 0 && state !== "false", c.callId).catch(() => {});
    return true;
  }

  // -- instant messages ----------------------------------------------------------

  /**
   * sendchat: a SIP MESSAGE through the engine, which keeps it. Mizu reports its fate
   * in CHATREPORT notifications: 1 sending, then 2 sent or 3 failed with the reason.
   */
  sendchat(number, msg) {
    const to = str(number).trim();
    const text = str(msg);
    if (!to || !text) return false;
    return this.whenStarted((ph) => {
      this.notify(`CHATREPORT,-1,${to},1,`);
      ph.sendChat(to, text).then(({ id }) => {
        const early = this.chats.get(id);
        if (early) {
          this.chats.delete(id);
          this.chatReport(to, early);
        } else {
          this.chats.set(id, to);
        }
      }, (e) => this.notify(`CHATREPORT,-1,${to},3,${e.message}`));
    });
  }

  onChatStatus(s) {
    const to = this.chats.get(s.id);
    if (typeof to !== "string") {
      this.chats.set(s.id, s); // before sendchat heard its id
      return;
    }
    this.chats.delete(s.id);
    this.chatReport(to, s);
  }

  chatReport(to, s) {
    const why = s.state === "delivered" ? "" : [s.code, s.reason].filter(Boolean).join(" ");
    this.notify(`CHATREPORT,-1,${to},${s.state === "delivered" ? 2 : 3},${why}`);
  }

  /** onChat(from, msg, line, group) for each message received; ours are not echoed. */
  onChatMessage(m) {
    if (m?.direction !== "incoming") return;
    const from = str(m.peer).includes("@") ? str(m.peer).split("@")[0] : str(m.peerUri);
    this.fire("chat", from, str(m.text), -1, "");
    this.notify(`CHAT,-1,${from},${str(m.text)}`);
  }

  /**
   * Mizu's play(start, file, looping, toremotepeer): a WAV file of the engine's sounds
   * folder, named without a path, on the speaker or into the call in focus; start 0
   * stops it. False when there is no engine, or toremotepeer and no call.
   */
  play(start, file, looping, toremotepeer) {
    if (!this.phone) return false;
    if (!truthy(start)) {
      this.phone.stopPlay().catch(() => {});
      return true;
    }
    const name = str(file).trim();
    const toPeer = truthy(toremotepeer);
    const c = toPeer ? this.target() : null;
    if (!name || (toPeer && !c)) return false;
    this.phone.play(name, { loop: truthy(looping), toPeer, line: c?.line }).catch((e) => this.log(`play ${name} failed: ${e.code} ${str(e.message)}`));
    return true;
  }

  /** Mizu's voicerecord(start, callnumber): records the call in focus to the engine's recordings folder. */
  voicerecord(start) {
    const c = this.target();
    if (!c || !this.phone) return false;
    this.phone.record(truthy(start), c.callId).catch((e) => this.log(`voicerecord failed: ${e.code} ${str(e.message)}`));
    return true;
  }

  dtmf(msg) {
    const c = this.target();
    const text = str(msg);
    if (!c || !this.phone || !/^[0-9*#A-Da-d ]+$/.test(text)) return false;
    // A space is a pause, as in the Mizu API.
    const groups = text.toUpperCase().split(/ +/).filter(Boolean);
    let delay = 0;
    for (const g of groups) {
      setTimeout(() => this.phone?.dtmf(g, c.callId).catch(() => {}), delay);
      delay += 500 + 200 * g.length;
    }
    return true;
  }

  onCall(c) {
    const prev = this.calls.get(c.callId) || { event: "" };
    let event = "";
    switch (c.state) {
      case "dialing":
      case "incoming":
        event = "setup";
        break;
      case "ringing":
      case "early":
        if (!prev.event) this.reportCall(c, "setup");
        event = "ringing";
        break;
      case "active":
        event = "connected";
        break;
      case "ended":
        event = "disconnected";
        break;
    }
    if (event && event !== prev.event) this.reportCall(c, event);
    if (c.state === "ended") {
      this.calls.delete(c.callId);
      this.cdr(c);
    } else {
      this.calls.set(c.callId, { event: event || prev.event });
    }
    this.emitStatus(c);
  }

  reportCall(c, event) {
    const dir = c.direction === "outgoing" ? 1 : 2;
    const legacy = { setup: "callSetup", ringing: "callRinging", connected: "callConnected", disconnected: "callDisconnected" }[event];
    const behaviour = this.param("apibehaviour") || "1";
    const args = [str(c.peerUser || c.peer), str(c.peerName), c.line, str(c.sipCallId)];
    if (behaviour === "1" || behaviour === "-1") this.fire("callstate", event, dir, ...args);
    if (behaviour === "0" || behaviour === "-1") this.fire("callstate", legacy, dir, ...args);
    this.fire(legacy, ...args);
    this.calls.set(c.callId, { event });
  }

  // -- presence and busy lamps (webphone_presence.js) ---------------------------------

  /**
   * checkpresence / checkblf: the users go on the engine's contact list with flag on.
   * An optional callback (checkpresence's JS form) gets each user's next state; a
   * second argument that is not a function is refused.
   */
  watch(userlist, cb, flag) {
    const users = usersOf(userlist);
    if (!users.length || (cb !== undefined && typeof cb !== "function")) return false;
    if (cb) for (const u of users) this.stateWaiters.push({ flag, user: u, cb });
    return this.whenStarted((ph) => {
      watchUsers(ph, users, flag).catch((e) => this.log(`${flag === "blf" ? "checkblf" : "checkpresence"} failed: ${e.code} ${str(e.message)}`));
    });
  }

  /** setpresencestatus: the status the engine publishes (and publishing on). */
  setpresencestatus(status) {
    const s = PRESENCE_STATUSES[str(status)];
    if (!s) return false;
    return this.whenStarted((ph) => {
      ph.setSettings({ presenceStatus: s, publishPresence: true }).catch((e) => this.log(`setpresencestatus failed: ${e.code} ${str(e.message)}`));
    });
  }

  onPresence(st) {
    if (!mizuSees(st)) return;
    const args = presenceArgs(st);
    this.fire("presence", ...args);
    this.notify(presenceNotification(st));
    this.answerWaiters("presence", st.number, args[1]);
  }

  onBLF(st) {
    if (!mizuSees(st)) return;
    const args = blfArgs(st);
    this.fire("blf", ...args);
    this.notify(blfNotification(st));
    this.answerWaiters("blf", st.number, args[2]);
  }

  /** Calls, once, the callbacks waiting for user's state. */
  answerWaiters(flag, user, state) {
    const mine = this.stateWaiters.filter((w) => w.flag === flag && w.user === user);
    this.stateWaiters = this.stateWaiters.filter((w) => !mine.includes(w));
    for (const w of mine) callback(w.cb, state);
  }

  /** The voicemail box changed: Mizu's MWI server message, while messages wait. */
  onMWI(m) {
    if (!mizuSees(m)) return;
    if (m?.waiting || m?.new) this.notify(`MWI,${voicemailText(m)}`);
  }

  onDTMF(d) {
    const c = this.lines().find((x) => x.callId === d.callId);
    this.fire("dtmf", d.digit, d.line);
    this.notify(`DTMF,${d.line},${str(c?.peerUser)},${d.digit}`);
  }

  cdr(c) {
    const me = this.phone?.state.account?.username || this.param("username");
    const peer = str(c.peerUser || c.peer);
    const outgoing = c.direction === "outgoing";
    const connect = (c.answeredAt || c.endedAt || c.startedAt) - c.startedAt;
    const duration = talkTime(c);
    const reason = c.cause ? [c.cause.code, c.cause.reason || c.cause.kind].filter(Boolean).join(" ") : "";
    const caller = outgoing ? me : peer;
    const called = outgoing ? peer : me;
    this.fire("cdr", caller, called, connect, duration, outgoing ? 1 : 2, str(c.peerName), reason, c.line, str(c.sipCallId));
    const discparty = c.cause?.kind === "local_hangup" ? 1 : c.cause?.kind === "remote_hangup" ? 2 : 3;
    this.notify(`CDR,${c.line},${peer},${caller},${called},${str(c.peer)},${connect},${duration},${discparty},${reason}`);
    this.lastCallDetails = [
      `Line: ${c.line} , Direction: ${c.direction}`,
      `Local username: ${me}`,
      `Peer: ${peer} , Name: ${str(c.peerName)} , URI: ${str(c.peer)}`,
      `Server: ${str(this.phone?.state.account?.server)}`,
      `Connectime: ${connect} msec`,
      `Duration: ${duration} msec`,
      `Disc By: ${discparty === 1 ? "Local" : discparty === 2 ? "Peer" : "Undefined"} , Reason: ${reason}`,
      `Payload: ${str(c.codec)}`,
      `Call-ID: ${str(c.sipCallId)}`,
    ].join("\r\n");
  }

  // -- STATUS strings ---------------------------------------------------------------

  generalStatusText() {
    const call = mizuCallStatus(this.lines());
    if (call) return call;
    const r = this.phone?.state.registration?.state;
    if (r === "registered") return "Registered";
    if (r === "registering") return "Registering...";
    if (r === "failed") return "Register Failed";
    return this.phone?.status === "connected" ? "Ready" : "Initializing";
  }

  statusString(line, text, c) {
    const me = this.phone?.state.account?.username || this.param("username");
    const reg = this.phone?.state.registration?.state;
    const registered = reg === "registered" ? 2 : reg === "failed" ? 7 : reg === "registering" ? 4 : 6;
    const incall = c ? (c.state === "active" ? 2 : 1) : this.lines().some((x) => x.state === "active") ? 2 : this.lines().length ? 1 : 0;
    const hold = c ? (c.held && c.remoteHeld ? 4 : c.held ? 2 : c.remoteHeld ? 3 : 0) : 0;
    const fields = [
      "STATUS", line, text, str(c?.peerUser), me, c ? (c.direction === "outgoing" ? 1 : 2) : "",
      str(c?.peerName), str(c?.sipCallId), this.phone?.status === "connected" ? 1 : 0, registered, incall,
      c?.muted ? 1 : 0, hold, this.isencrypted() > 0 ? 1 : 0, 0,
    ];
    return fields.join(",");
  }

  emitStatus(c) {
    if (c) {
      const first = { setup: "CallSetup", connected: "CallConnect", disconnected: "CallDisconnect" }[this.calls.get(c.callId)?.event || (c.state === "ended" ? "disconnected" : "")];
      if (first && !this.oneTime(c, first)) this.notify(this.statusString(c.line, first, c));
      this.notify(this.statusString(c.line, mizuLineStatus(c), c));
    }
    this.notify(this.statusString(-1, this.generalStatusText(), c && c.state !== "ended" ? c : this.target()));
  }

  oneTime(c, what) {
    const key = `${c.callId}:${what}`;
    if (this.sent.has(key)) return true;
    this.sent.add(key);
    if (this.sent.size > 1000) this.sent.clear();
    return false;
  }

  getStatus() {
    if (!this.phone) return "STATUS,-1,Initializing";
    return this.statusString(-1, this.generalStatusText(), this.target());
  }

  // -- SIP messages and headers ------------------------------------------------------

  onTrace(t) {
    const text = str(t.message);
    const callId = (text.match(/^(?:Call-ID|i)\s*:\s*(.+?)\s*$/mi) || [])[1] || "";
    this.sipMessages.push({ dir: t.dir === "recv" ? 0 : 1, text, callId });
    if (this.sipMessages.length > MAX_SIP) this.sipMessages.shift();
  }

  setsipheader(header) {
    const text = str(header);
    if (text.trim() === "") {
      this.headers = {};
      return true;
    }
    const parts = text.includes("\r\n") || text.includes("\n") ? text.split(/\r?\n/) : text.split(";");
    for (const part of parts) {
      const i = part.indexOf(":");
      if (i <= 0) continue;
      const name = part.slice(0, i).trim();
      const value = part.slice(i + 1).trim();
      if (value === "") delete this.headers[name];
      else this.headers[name] = value;
    }
    return true;
  }

  messages(must) {
    const c = this.target();
    const scoped = must || this.line === -2 || !c ? this.sipMessages : this.sipMessages.filter((m) => m.callId === c.sipCallId);
    return [...scoped].reverse();
  }

  getsipmessage(dir, type, cb, must) {
    const d = Number(dir ?? -1);
    const ty = Number(type ?? 0);
    const m = this.messages(must).find((x) => {
      if (d >= 0 && x.dir !== d) return false;
      const first = x.text.split("\r\n", 1)[0];
      const isResponse = first.startsWith("SIP/2.0");
      switch (ty) {
        case 1: return !isResponse;
        case 2: return isResponse;
        case 3: return first.startsWith("INVITE ");
        case 4: return first.startsWith("SIP/2.0 200");
      }
      return true;
    });
    const out = m ? m.text : "ERROR: SIP message not found";
    callback(cb, out);
    return out;
  }

  getsipheader(name, cb, must) {
    const n = str(name).trim().toLowerCase();
    let value = "";
    for (const m of this.messages(must)) {
      if (m.dir !== 0) continue; // received messages only
      const line = m.text.split("\r\n").find((l) => l.slice(0, l.indexOf(":")).trim().toLowerCase() === n);
      if (line) {
        value = line.slice(line.indexOf(":") + 1).trim();
        break;
      }
    }
    const out = value || "ERROR: no such header";
    callback(cb, out);
    return out;
  }

  // -- devices and volume ------------------------------------------------------------

  devices() {
    return this.phone?.state.devices || null;
  }

  getdevicelist(dev, cb) {
    const d = this.devices();
    const n = Number(dev);
    const list = !d ? [] : n === 0 ? d.inputs : n === 1 || n === 2 ? d.outputs : [];
    const out = list.map((x) => x.name).join("\r\n");
    callback(cb, out);
    return out;
  }

  getdevice(dev, cb) {
    const d = this.devices();
    const n = Number(dev);
    let id = "";
    let list = [];
    if (d && n === 0) [id, list] = [d.selectedInput, d.inputs];
    if (d && n === 1) [id, list] = [d.selectedOutput, d.outputs];
    if (d && n === 2) [id, list] = [d.selectedRinger, d.outputs];
    const out = list.find((x) => x.id === id)?.name || id || "";
    callback(cb, out);
    return out;
  }

  setdevice(dev, name) {
    const d = this.devices();
    const n = Number(dev);
    if (!d || ![0, 1, 2].includes(n) || !this.phone) return false;
    const list = n === 0 ? d.inputs : d.outputs;
    const wanted = str(name);
    // Names may come back truncated to 31 characters (the Windows wave API limit).
    const found = list.find((x) => x.name === wanted || x.id === wanted) || list.find((x) => wanted && x.name.startsWith(wanted));
    if (!found) return false;
    this.phone.selectDevices({ [["input", "output", "ringer"][n]]: found.id }).catch(() => {});
    return true;
  }

  setvolume(dev, volume) {
    const n = Number(dev);
    const v = Math.round(Number(volume));
    if (![0, 1, 2].includes(n) || !(v >= 0 && v <= 100) || !this.phone) return false;
    this.phone.setVolume({ [["input", "output", "ringer"][n]]: v }).catch(() => {});
    return true;
  }

  getvolume(dev, cb) {
    const d = this.devices();
    const n = Number(dev);
    const v = !d ? -1 : [d.inputVolume, d.outputVolume, d.ringerVolume][n] ?? -1;
    callback(cb, v);
    return v;
  }

  // -- state getters -----------------------------------------------------------------

  isregistered() {
    return this.phone?.state.registration?.state === "registered";
  }

  isincall() {
    return this.lines().length > 0;
  }

  ismuted() {
    return !!this.target()?.muted;
  }

  isonhold() {
    const c = this.target();
    return !!(c && (c.held || c.remoteHeld));
  }

  isencrypted() {
    if (!this.phone || this.phone.status !== "connected") return -1;
    // TLS protects the signalling, SRTP the media of the call in focus: 2 for
    // both, 1 ("partially") for one of them.
    const tls = this.phone.state.account?.transport === "tls";
    const srtp = this.target()?.encrypted === true;
    return (tls ? 1 : 0) + (srtp ? 1 : 0);
  }

  getlinedetails(line) {
    const c = this.target(Number(line) > 0 ? Number(line) : undefined);
    if (!this.phone) return "";
    const me = this.phone.state.account?.username || "";
    const server = this.phone.state.account?.server || "";
    if (!c) return `LINEDETAILS,${Number(line) > 0 ? Number(line) : -1},Ready,,,${me},,,${server},0,0,`;
    return ["LINEDETAILS", c.line, mizuLineStatus(c), str(c.sipCallId), str(c.peerUser), me,
      c.direction === "outgoing" ? 1 : 2, "", server, c.muted ? 1 : 0, c.held || c.remoteHeld ? 1 : 0, str(c.peerName)].join(",");
  }

  linetocallid(line, cb) {
    const c = this.lines().find((x) => x.line === Number(line));
    const out = c ? str(c.sipCallId) : "";
    callback(cb, out);
    return out;
  }

  callidtoline(callid, cb) {
    const c = this.lines().find((x) => x.sipCallId === str(callid) || x.callId === str(callid));
    const out = c ? c.line : -1;
    callback(cb, out);
    return out;
  }

  // -- the engine's call history ----------------------------------------------------

  /** Mirrors the newest page of the engine's history, which listcallhistory answers from. */
  loadHistory(ph) {
    ph.listHistory({ limit: HISTORY_PAGE }).then((page) => {
      for (const r of page.calls || []) this.onRecord(r);
    }, () => { /* an engine that keeps no history: the mirror stays as it is */ });
  }

  /** A record of the engine's history, from history.list or a call's call.cdr. */
  onRecord(r) {
    if (!r?.id) return;
    this.history.set(r.id, r);
    if (this.history.size > HISTORY_PAGE) this.history.delete(Math.min(...this.history.keys()));
  }

  /** Mizu's format: type (0 outgoing, 1 incoming, 2 missed), name, number, date, duration, reason. */
  listcallhistory() {
    const entries = [...this.history.values()].sort((a, b) => b.id - a.id).map((r) => [
      r.direction === "outgoing" ? 0 : r.answeredAt ? 1 : 2,
      str(r.peerName), str(r.peerUser || r.peer), r.startedAt, r.durationMs || 0,
      r.cause ? [r.cause.code, r.cause.reason || r.cause.kind].filter(Boolean).join(" ") : "",
    ]);
    return entries.length ? entries.map((e) => e.join("\t")).join("\r\n") : null;
  }

  // -- browser-side storage: contacts ------------------------------------------------

  contacts() {
    return readJSON(CONTACTS_KEY, []);
  }

  addcontact(fullname, number, email, address, notes, website, type, favorite) {
    if (!str(fullname) && !str(number)) return false;
    const list = this.contacts();
    list.push([str(fullname), str(number), str(favorite) === "1" ? "1" : "0", str(email), str(address), str(notes), str(website), str(type)]);
    writeJSON(CONTACTS_KEY, list);
    return true;
  }

  /** The contacts; with all, also the virtual ones: the voicemail number (`voicemailnum`). */
  listcontacts(all) {
    const list = this.contacts();
    const vm = this.param("voicemailnum").trim();
    if (all === true && vm) list.push(["Voicemail", vm, "0", "", "", "", "", "voicemail"]);
    return list.length ? list.map((c) => c.join("\t")).join("\r\n") : null;
  }

  getcontact(name, number) {
    const c = this.contacts().find((x) => (name && x[0] === str(name)) || (number && x[1].split("|").includes(str(number))));
    return c ? c.join("\t") : null;
  }

  delcontact(name, number) {
    const list = this.contacts();
    const kept = list.filter((x) => !((name && x[0] === str(name)) || (number && x[1].split("|").includes(str(number)))));
    writeJSON(CONTACTS_KEY, kept);
    return kept.length !== list.length;
  }

  delallcontacts() {
    writeJSON(CONTACTS_KEY, []);
    return true;
  }

  delsettings(level) {
    const n = Number(level) || 0;
    try {
      const s = storage();
      for (const k of Object.keys(s || {})) {
        if (k.startsWith(PARAM_PREFIX)) s.removeItem(k);
        if (n >= 2 && (k === HISTORY_KEY || k === CONTACTS_KEY)) s.removeItem(k);
      }
    } catch { /* nothing stored */ }
    if (n >= 2) this.history.clear(); // this page's copy; the engine's history stays (history.clear)
    this.parameters = {};
    this.headers = {};
    this.stop();
    return true;
  }
}

// ---------------------------------------------------------------------------
// the public object: the Mizu names, bound, never throwing

const impl = new WebphoneAPI();

const unsupported = (...names) => Object.fromEntries(names.map((n) => [n, () => false]));

/** The Mizu WebPhone API object. */
export const webphone_api = {
  get parameters() { return impl.parameters; },
  set parameters(v) { impl.parameters = v && typeof v === "object" ? { ...v } : {}; },

  // configuration and lifecycle
  setparameter: safe(false, (p, v, allowempty) => impl.setparameter(p, v, allowempty)),
  getparameter: safe("", (p) => impl.param(p)),
  start: safe(false, () => impl.start()),
  stop: safe(false, () => impl.stop()),
  register: safe(false, () => impl.register()),
  unregister: safe(false, () => impl.unregister()),
  registerex: safe(false, (accounts) => impl.registerex(accounts)),
  delsettings: safe(false, (level) => impl.delsettings(level)),
  getenginename: () => ENGINE_NAME,
  getworkdir: safe("", (cb) => { callback(cb, ""); return ""; }), // not exposed to pages (docs/security.md)
  getlogs: safe("", () => impl.logs.join("\r\n")),
  getStatus: safe("STATUS,-1,Initializing", () => impl.getStatus()),
  getregfailreason: safe("", (cb) => { callback(cb, impl.lastRegFailReason); return impl.lastRegFailReason; }),

  // calls
  call: safe(false, (number) => impl.call(number)),
  hangup: safe(false, (line) => impl.hangup(line)),
  accept: safe(false, () => impl.accept()),
  reject: safe(false, () => impl.reject()),
  ignore: safe(false, () => impl.ignore()),
  forward: safe(false, (number) => impl.forward(number)),
  hold: safe(false, (state) => impl.hold(state)),
  mute: safe(false, (state, direction) => impl.mute(state, direction)),
  transfer: safe(false, (number) => impl.transfer(number)),
  conference: safe(false, (number, add) => impl.conference(number, add)),
  dtmf: safe(false, (msg) => impl.dtmf(msg)),
  play: safe(false, (start, file, looping, toremotepeer) => impl.play(start, file, looping, toremotepeer)),
  voicerecord: safe(false, (start, callnumber) => impl.voicerecord(start, callnumber)),
  setline: safe(false, (line) => impl.setline(line)),
  getline: safe(-1, () => impl.getline()),
  sendchat: safe(false, (number, msg) => impl.sendchat(number, msg)),
  checkpresence: safe(false, (userlist, cb) => impl.watch(userlist, cb, "presence")),
  setpresencestatus: safe(false, (status) => impl.setpresencestatus(status)),
  checkblf: safe(false, (userlist, cb) => impl.watch(userlist, cb, "blf")),
  ...unsupported("videocall", "mutevideo", "sendsms", "screenshare", "stopscreenshare",
    "setloudspeaker", "synccontacts", "changetheme", "devicepopup", "setvideodisplaysize"),

  // information
  isregistered: safe(false, () => impl.isregistered()),
  isincall: safe(false, () => impl.isincall()),
  ismuted: safe(false, () => impl.ismuted()),
  isonhold: safe(false, () => impl.isonhold()),
  isencrypted: safe(-1, () => impl.isencrypted()),
  getlinedetails: safe("", (line) => impl.getlinedetails(line)),
  getlastcalldetails: safe("", () => impl.lastCallDetails),
  linetocallid: safe("", (line, cb) => impl.linetocallid(line, cb)),
  callidtoline: safe(-1, (id, cb) => impl.callidtoline(id, cb)),
  nextcallid: safe("", () => ""), // the engine draws Call-IDs itself: not supported
  // Mizu's list (conference,transfer,mute,hold, and chat where the engine sends and
  // keeps messages), then what else a call can do here; conferencetype or
  // transfertype 0 takes its word out, as it turns it off.
  getavailablecallfunc: safe("", () => {
    if (impl.phone?.status !== "connected") return "ERROR, webphone is not yet started";
    const off = (name) => Number(impl.param(name) || -1) === 0;
    return ["conference", "transfer", "mute", "hold", "chat", "forward", "dtmf"]
      .filter((f) => !(f === "conference" && off("conferencetype")) && !(f === "transfer" && off("transfertype")))
      .filter((f) => f !== "chat" || impl.phone.state.chat)
      .join(",");
  }),
  getcallerdisplayfull: safe("", (cb) => {
    const c = impl.lines().find((x) => x.direction === "incoming");
    const out = c ? `${str(c.peerUser)}\n${str(c.peerName)}` : "";
    callback(cb, out);
    return out;
  }),

  // SIP headers and messages
  setsipheader: safe(false, (h) => impl.setsipheader(h)),
  getsipheader: safe("ERROR: no such header", (h, cb, must) => impl.getsipheader(h, cb, must)),
  getsipmessage: safe("ERROR: SIP message not found", (dir, type, cb, must) => impl.getsipmessage(dir, type, cb, must)),
  getlastrecinvite: safe("ERROR, no callback", (cb) => (typeof cb === "function" ? impl.getsipmessage(0, 3, cb, true) : "ERROR, no callback")),
  getlastsentinvite: safe("ERROR, no callback", (cb) => (typeof cb === "function" ? impl.getsipmessage(1, 3, cb, true) : "ERROR, no callback")),

  // devices and volume
  getdevicelist: safe("", (dev, cb) => impl.getdevicelist(dev, cb)),
  getdevice: safe("", (dev, cb) => impl.getdevice(dev, cb)),
  setdevice: safe(false, (dev, name, immediate) => impl.setdevice(dev, name, immediate)),
  setvolume: safe(false, (dev, v) => impl.setvolume(dev, v)),
  getvolume: safe(-1, (dev, cb) => impl.getvolume(dev, cb)),

  // history and contacts (browser storage)
  listcallhistory: safe(null, () => impl.listcallhistory()),
  listcontacts: safe(null, (all) => impl.listcontacts(all)),
  addcontact: safe(false, (...a) => impl.addcontact(...a)),
  getcontact: safe(null, (name, number) => impl.getcontact(name, number)),
  delcontact: safe(false, (name, number) => impl.delcontact(name, number)),
  deletecontact: safe(false, (name, number) => impl.delcontact(name, number)),
  delallcontacts: safe(false, () => impl.delallcontacts()),

  // low level and WebRTC internals
  jvoip: safe(NOT_SUPPORTED, () => NOT_SUPPORTED),
  getrtcsocket: () => null,
  getcallsession: () => null,
  getrtcpeerconnection: () => null,

  // callbacks
  onAppStateChange: (fn) => impl.subscribe("appstate", fn),
  onRegStateChange: (fn) => impl.subscribe("regstate", fn),
  onCallStateChange: (fn) => impl.subscribe("callstate", fn),
  onChat: (fn) => impl.subscribe("chat", fn),
  onSMS: (fn) => impl.subscribe("sms", fn),
  onDTMF: (fn) => impl.subscribe("dtmf", fn),
  onCdr: (fn) => impl.subscribe("cdr", fn),
  onPresenceStateChange: (fn) => impl.subscribe("presence", fn),
  onBLFStateChange: (fn) => impl.subscribe("blf", fn),
  onBlfStateChange: (fn) => impl.subscribe("blf", fn),
  onBLFStateChage: (fn) => impl.subscribe("blf", fn),
  onEvent: (fn) => impl.subscribe("event", fn),
  // deprecated names (§8 of the Mizu API): still callable
  onLoaded: (fn) => impl.subscribe("loaded", fn),
  onStart: (fn) => impl.subscribe("start", fn),
  onStop: (fn) => impl.subscribe("stop", fn),
  onRegistered: (fn) => impl.subscribe("registered", fn),
  onRegisterFailed: (fn) => impl.subscribe("registerfailed", fn),
  onUnRegistered: (fn) => impl.subscribe("unregistered", fn),
  onCallSetup: (fn) => impl.subscribe("callSetup", fn),
  onCallRinging: (fn) => impl.subscribe("callRinging", fn),
  onCallConnected: (fn) => impl.subscribe("callConnected", fn),
  onCallDisconnected: (fn) => impl.subscribe("callDisconnected", fn),
  onDisplay: (fn) => impl.subscribe("display", fn),
  onLog: (fn) => impl.subscribe("log", fn),
  onEvents: (fn) => impl.subscribe("events", fn),
};

export default webphone_api;
