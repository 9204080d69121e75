// webphone_params.js: what the Mizu WebPhone parameters become in the engine: the
// account's fields (sent with account.set at register()) and the engine's settings
// (sent with settings.set at each connection and whenever one is set). A parameter
// that is not set leaves the engine's value as it is. docs/javascript-api.md lists
// each parameter and its failure value.

const paramText = (v) => (v === undefined || v === null ? "" : String(v));
const paramKey = (v) => paramText(v).trim().toLowerCase();

/** A Mizu boolean: "1"/"true" on, "0"/"false" off, anything else unset (null). */
export function flag(value) {
  const v = paramKey(value);
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  return null;
}

/**
 * Mizu's `transport`: -1 auto (the account's own transport stays), 0 UDP, 1 TCP,
 * 2 TLS, or the names. The tunnel modes (3 HTTP, 4 CONNECT, 5 auto tunnel) are
 * Mizu's servers' own: they leave the account's transport too (null).
 */
export function transportOf(value) {
  const v = paramKey(value);
  return { "0": "udp", "1": "tcp", "2": "tls", udp: "udp", tcp: "tcp", tls: "tls" }[v] ?? null;
}

/**
 * The audio codecs the engine speaks, by the names Mizu's `codec` and `prefcodec`
 * use. Every Opus name (Mizu's narrowband, wideband, super- and ultra-wideband
 * Opus) is the engine's one Opus, wideband at 16 kHz.
 */
const CODECS = {
  pcmu: ["PCMU"], "g711u": ["PCMU"], "g.711u": ["PCMU"], "g711 ulaw": ["PCMU"], ulaw: ["PCMU"],
  pcma: ["PCMA"], "g711a": ["PCMA"], "g.711a": ["PCMA"], "g711 alaw": ["PCMA"], alaw: ["PCMA"],
  "g711": ["PCMU", "PCMA"], "g.711": ["PCMU", "PCMA"],
  g722: ["G722"], "g.722": ["G722"],
  opus: ["opus"], opusnb: ["opus"], opuswb: ["opus"], opusswb: ["opus"], opusuwb: ["opus"],
};

/**
 * Mizu's `use_<codec>` parameters of the codecs the engine speaks (`use_g722`
 * and `use_opus` are wpservice's own): the codec they set, by parameter name.
 */
export const USE_CODEC_PARAMS = {
  use_pcmu: "PCMU", use_pcma: "PCMA", use_g722: "G722",
  use_opus: "opus", use_opusnb: "opus", use_opuswb: "opus", use_opusswb: "opus", use_opusuwb: "opus",
};

/** The G.711 codecs Mizu's `alwaysallowlowcodec` keeps allowed. */
const LOW_CODECS = ["PCMU", "PCMA"];

/**
 * Applies Mizu's `use_<codec>` values (use: codec -> value, the highest of a
 * codec's names) to list: 0 leaves the codec out; 3 puts it first (after the
 * preferred codec); 1 (accept without offering, which the engine cannot do:
 * it offers what it accepts) and 2 put it last.
 */
function applyUse(list, use, pref) {
  let out = [...list];
  for (const [codec, v] of Object.entries(use)) {
    out = out.filter((c) => c !== codec);
    if (v === "3") out.splice(out[0] === pref && pref !== codec ? 1 : 0, 0, codec);
    else if (v !== "0") out.push(codec);
  }
  return out;
}

/**
 * Mizu's `codec` (the allowed codecs, comma-separated), `prefcodec` (the
 * preferred one), `use_<codec>` (param(name) for each of USE_CODEC_PARAMS) and
 * `alwaysallowlowcodec` (1: G.711 stays allowed, last, whatever the list) ->
 * the account's codecs, in order of preference. Codecs the engine does not
 * speak are left out; `unsupported` names them. `codecs` is null when no
 * parameter names one the engine speaks: the account's list stays.
 */
export function codecsOf(codec, prefcodec, param = () => "", alwaysallowlowcodec = "") {
  const unsupported = [];
  const pick = (name) => {
    const n = paramKey(name);
    if (!n) return [];
    if (!CODECS[n]) unsupported.push(paramText(name).trim());
    return CODECS[n] || [];
  };
  let list = paramText(codec).split(",").flatMap(pick);
  const pref = pick(prefcodec);
  const use = {}; // codec -> the highest of its names' values; other values change nothing
  for (const [name, c] of Object.entries(USE_CODEC_PARAMS)) {
    const v = paramKey(param(name));
    if (["0", "1", "2", "3"].includes(v) && (use[c] === undefined || v > use[c])) use[c] = v;
  }
  const given = list.length > 0 || pref.length > 0 || Object.keys(use).length > 0;
  // a preferred codec or use_ values alone keep G.711 after them
  if (!list.length && paramKey(codec) === "" && given) list = [...LOW_CODECS];
  if (pref.length) list = [...pref, ...list];
  list = applyUse([...new Set(list)], use, pref[0]);
  if (list.length && flag(alwaysallowlowcodec)) list.push(...LOW_CODECS.filter((c) => !list.includes(c)));
  return { codecs: list.length ? list : null, unsupported };
}

/**
 * Mizu's `voicerecformat` -> the engine's `recordFormat`: `0`, `wav`, `pcm` wav;
 * `2`, `ogg`, `opus` ogg; `1` (gsm), `3` (mp3), `gsm`, `mp3` wav, the engine
 * having neither. Null for anything else.
 */
function recordFormatOf(value) {
  const v = paramKey(value);
  if (["0", "wav", "pcm", "1", "gsm", "3", "mp3"].includes(v)) return "wav";
  if (["2", "ogg", "opus"].includes(v)) return "ogg";
  return null;
}

/** Mizu's `dndaction` -> the engine's `dndAction`: busy (486) or decline (603). */
function dndActionOf(value) {
  const v = paramKey(value);
  if (["busy", "486", "0"].includes(v)) return "busy";
  if (["decline", "603", "1", "reject"].includes(v)) return "decline";
  return null;
}

/**
 * A Mizu time limit in milliseconds -> the engine's seconds, at most max; null when
 * the value is not a number of milliseconds.
 */
function secondsOf(value, max) {
  const v = paramText(value).trim();
  if (!/^\d+$/.test(v)) return null;
  return Math.min(max, Math.round(Number(v) / 1000));
}

/** Mizu's `ringtimeout`, `ringtimeoutin`, `ringtimeoutout` -> seconds, 0..3600. */
const ringTimeoutOf = (value) => secondsOf(value, 3600);

/** The settings one limit sets: {} when the value is not a number. */
function limit(key, seconds) {
  return seconds === null ? {} : { [key]: seconds };
}

/**
 * Mizu's `aec` (0 no, 1 yes unless a headset is guessed, 2 yes if supported,
 * 3 forced), `agc` and `denoise` (0 off, 1 recording, 2 both, 3 guess/auto) ->
 * the engine's auto, on or off (auto: on unless a headset is in use). The
 * engine processes the microphone only, so "recording" and "both" are on.
 */
function processingOf(value, auto) {
  const v = paramKey(value);
  if (v === "0" || v === "false") return "off";
  if (v === auto) return "auto";
  if (["1", "2", "3", "true"].includes(v)) return "on";
  return null;
}

/**
 * Mizu's `silencesupress` (-1 auto: no, except on low-bandwidth mobiles; 0 no;
 * 1 yes) -> the engine's silenceSuppression: auto (off on a desktop), off or on.
 */
function silenceOf(value) {
  const v = paramKey(value);
  if (v === "-1") return "auto";
  if (v === "0" || v === "false") return "off";
  if (v === "1" || v === "true") return "on";
  return null;
}

/**
 * Each parameter that sets an engine setting: the settings it sets from its value
 * (none when the value leaves them as they are), and whether they need an admin
 * connection (the engine refuses them to others: auto-answer could listen in on the
 * room, forwarding could send the user's calls anywhere).
 */
export const SETTING_PARAMS = {
  autohold: { set: (v) => {
    // 0 holds nothing; 1 to 6 (incoming, outgoing, both, on line change and their sums)
    // hold the call being left, which the engine does on every turn to another line.
    const n = paramKey(v);
    if (n === "0" || n === "false") return { autoHold: false };
    if (/^[1-6]$/.test(n) || n === "true") return { autoHold: true };
    return {};
  } },
  autoaccept: { admin: true, set: (v) => (flag(v) === null ? {} : { autoAnswer: flag(v) }) },
  enableautoaccept: { admin: true, set: (v) => {
    // 0 never, 1 only on autoacceptheader (not supported: as 0), 2 also on the
    // caller's request (Call-Info, Alert-Info, Answer-Mode), 3 answer all.
    const n = paramKey(v);
    if (n === "0" || n === "1") return { autoAnswerHeaders: false };
    if (n === "2") return { autoAnswerHeaders: true };
    if (n === "3") return { autoAnswerHeaders: true, autoAnswer: true };
    return {};
  } },
  dnd: { set: (v) => (flag(v) === null ? {} : { dnd: flag(v) }) },
  dndaction: { set: (v) => (dndActionOf(v) ? { dndAction: dndActionOf(v) } : {}) },
  blacklist: { set: (v) => ({ blockList: paramText(v) }) },
  rejectonbusy: { set: (v) => (flag(v) === null ? {} : { rejectWhenBusy: flag(v) }) },
  callforwardalways: { admin: true, set: (v) => ({ forwardAlways: paramText(v).trim() }) },
  callforwardonbusy: { admin: true, set: (v) => ({ forwardOnBusy: paramText(v).trim() }) },
  callforwardonnoanswer: { admin: true, set: (v) => ({ forwardOnNoAnswer: paramText(v).trim() }) },
  // Mizu's ringtimeout bounds the ringing both ways; ringtimeoutin and ringtimeoutout one each.
  ringtimeout: { set: (v) => ({ ...limit("ringTimeout", ringTimeoutOf(v)), ...limit("ringTimeoutOut", ringTimeoutOf(v)) }) },
  ringtimeoutin: { set: (v) => limit("ringTimeout", ringTimeoutOf(v)) },
  ringtimeoutout: { set: (v) => limit("ringTimeoutOut", ringTimeoutOf(v)) },
  calltimeout: { set: (v) => limit("callTimeout", secondsOf(v, 86400)) },
  aec: { set: (v) => (processingOf(v, "1") ? { aec: processingOf(v, "1") } : {}) },
  agc: { set: (v) => (processingOf(v, "3") ? { agc: processingOf(v, "3") } : {}) },
  denoise: { set: (v) => (processingOf(v, "3") ? { denoise: processingOf(v, "3") } : {}) },
  silencesupress: { set: (v) => (silenceOf(v) ? { silenceSuppression: silenceOf(v) } : {}) },
  // Mizu's voicerecording: 1 records every call to a local file (the engine's
  // recordCalls); 0 none. Its upload modes (2 and more) record nothing here.
  voicerecording: { set: (v) => {
    const n = paramKey(v);
    if (n === "1") return { recordCalls: true };
    if (/^[0-9]+$/.test(n)) return { recordCalls: false };
    return {};
  } },
  // Mizu's voicerecformat: the recordings' format (recordFormat). Mizu lists wav/pcm,
  // gsm, ogg and mp3 (mp3 is its 3); the engine has wav and ogg (Opus in Ogg), and
  // records the formats it lacks (gsm, mp3) as WAV.
  voicerecformat: { set: (v) => (recordFormatOf(v) ? { recordFormat: recordFormatOf(v) } : {}) },
  // the number the page's Voicemail button dials (the engine keeps it beside the box's counts)
  voicemailnum: { set: (v) => ({ voicemailNumber: paramText(v).trim() }) },
};

/**
 * The settings the parameters ask for, split by the permission they need, each
 * only where it differs from the engine's current settings (have).
 */
export function settingsFromParams(param, have) {
  const control = {};
  const admin = {};
  for (const [name, p] of Object.entries(SETTING_PARAMS)) {
    const v = param(name);
    if (v === "") continue;
    for (const [k, want] of Object.entries(p.set(v))) {
      if (have?.[k] !== want) (p.admin ? admin : control)[k] = want;
    }
  }
  return { control, admin };
}

/**
 * Mizu's `holdtype`: how hold is signalled. The engine holds with a=sendonly
 * (a=inactive when the peer holds us too), which is -1 (auto) and 2; 0 (no hold),
 * 3 (recvonly) and 4 (inactive) cannot be honoured: hold() answers false.
 */
export function holdAllowed(holdtype) {
  const v = paramText(holdtype).trim();
  return v === "" || v === "-1" || v === "2" || v === "-2";
}
