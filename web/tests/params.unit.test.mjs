// The Mizu parameters' mapping to the engine's account fields and settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { codecsOf, holdAllowed, settingsFromParams, transportOf } from "../lib/webphone_params.js";

test("transport: Mizu's numbers and the names; auto and tunnels keep the account's", () => {
  assert.deepEqual(["0", "1", "2", " TLS ", "udp"].map(transportOf), ["udp", "tcp", "tls", "tls", "udp"]);
  for (const v of ["-1", "3", "4", "5", "", "sctp"]) assert.equal(transportOf(v), null, v);
});

test("codec and prefcodec: the engine's codecs in order, the others named", () => {
  assert.deepEqual(codecsOf("Opus,G.729,PCMA", ""), { codecs: ["opus", "PCMA"], unsupported: ["G.729"] });
  assert.deepEqual(codecsOf("G.711", ""), { codecs: ["PCMU", "PCMA"], unsupported: [] });
  assert.deepEqual(codecsOf("", "pcma"), { codecs: ["PCMA", "PCMU"], unsupported: [] });
  assert.deepEqual(codecsOf("PCMU,PCMA", "pcma"), { codecs: ["PCMA", "PCMU"], unsupported: [] });
  assert.deepEqual(codecsOf("G.729,GSM", "speexwb"), { codecs: null, unsupported: ["G.729", "GSM", "speexwb"] });
  assert.deepEqual(codecsOf("", ""), { codecs: null, unsupported: [] });
  assert.deepEqual(codecsOf("G.722,PCMU", "g722"), { codecs: ["G722", "PCMU"], unsupported: [] });
});

test("codec, prefcodec: every Opus name is the engine's Opus", () => {
  for (const name of ["opus", "OpusNB", "opuswb", "opusswb", "opusuwb"]) {
    assert.deepEqual(codecsOf("", name), { codecs: ["opus", "PCMU", "PCMA"], unsupported: [] }, name);
  }
  assert.deepEqual(codecsOf("PCMU,opuswb,G722", "opusuwb"), { codecs: ["opus", "PCMU", "G722"], unsupported: [] });
});

test("use_<codec>: 0 leaves out, 3 first after the preferred, 1 and 2 last", () => {
  const of = (codec, pref, use, low = "") => codecsOf(codec, pref, (n) => use[n] ?? "", low).codecs;
  assert.deepEqual(of("", "", { use_opuswb: "3" }), ["opus", "PCMU", "PCMA"]);
  assert.deepEqual(of("", "", { use_pcmu: "0" }), ["PCMA"]);
  assert.deepEqual(of("opus,PCMU,PCMA", "", { use_opusnb: "0", use_opuswb: "2" }), ["PCMU", "PCMA", "opus"]);
  assert.deepEqual(of("PCMU,PCMA", "pcma", { use_g722: "3" }), ["PCMA", "G722", "PCMU"]);
  assert.deepEqual(of("PCMU,PCMA,opus", "", { use_opusswb: "1" }), ["PCMU", "PCMA", "opus"]);
  assert.deepEqual(of("PCMU", "", { use_pcmu: "0" }), null);
  assert.deepEqual(of("PCMU", "", { use_pcma: "9" }), ["PCMU"]);
});

test("alwaysallowlowcodec: G.711 stays allowed, last", () => {
  assert.deepEqual(codecsOf("opus", "", () => "", "1").codecs, ["opus", "PCMU", "PCMA"]);
  assert.deepEqual(codecsOf("opus,PCMA", "", () => "", "true").codecs, ["opus", "PCMA", "PCMU"]);
  assert.deepEqual(codecsOf("opus", "", () => "", "0").codecs, ["opus"]);
  assert.deepEqual(codecsOf("", "", () => "", "1").codecs, null);
});

test("voicerecformat: wav and ogg, the formats the engine lacks as wav", () => {
  const set = (v) => settingsFromParams((n) => (n === "voicerecformat" ? v : ""), {}).control.recordFormat;
  assert.deepEqual(["0", "wav", "PCM", "1", "gsm", "3", "mp3", "2", "ogg", "Opus", "7"].map(set),
    ["wav", "wav", "wav", "wav", "wav", "wav", "wav", "ogg", "ogg", "ogg", undefined]);
});

test("settings: only what is set and differs, split by the permission it needs", () => {
  const params = { autoaccept: "1", dnd: "1", dndaction: "decline", ringtimeout: "90000", callforwardonbusy: "2002", autohold: "" };
  const param = (n) => params[n] ?? "";
  assert.deepEqual(settingsFromParams(param, { dnd: true }), {
    control: { dndAction: "decline", ringTimeout: 90, ringTimeoutOut: 90 },
    admin: { autoAnswer: true, forwardOnBusy: "2002" },
  });
  assert.deepEqual(settingsFromParams(() => "", {}), { control: {}, admin: {} });
  assert.deepEqual(settingsFromParams((n) => (n === "ringtimeout" ? "99999999" : ""), {}).control, { ringTimeout: 3600, ringTimeoutOut: 3600 });
  assert.deepEqual(settingsFromParams((n) => (n === "ringtimeoutout" ? "45000" : ""), {}).control, { ringTimeoutOut: 45 });
  assert.deepEqual(settingsFromParams((n) => (n === "calltimeout" ? "10800000" : ""), {}).control, { callTimeout: 10800 });
  assert.deepEqual(settingsFromParams((n) => (n === "calltimeout" ? "soon" : ""), {}).control, {});
  assert.deepEqual(settingsFromParams((n) => (n === "enableautoaccept" ? "3" : ""), {}).admin, { autoAnswerHeaders: true, autoAnswer: true });
});

test("aec, agc, denoise: Mizu's values to auto, on or off", () => {
  const set = (name, v) => settingsFromParams((n) => (n === name ? v : ""), {}).control;
  assert.deepEqual(["0", "1", "2", "3"].map((v) => set("aec", v).aec), ["off", "auto", "on", "on"]);
  assert.deepEqual(["0", "1", "2", "3"].map((v) => set("agc", v).agc), ["off", "on", "on", "auto"]);
  assert.deepEqual(["0", "1", "2", "3"].map((v) => set("denoise", v).denoise), ["off", "on", "on", "auto"]);
  assert.deepEqual(set("aec", "maybe"), {});
});

test("silencesupress: Mizu's -1, 0 and 1 to auto, off and on", () => {
  const set = (v) => settingsFromParams((n) => (n === "silencesupress" ? v : ""), {}).control;
  assert.deepEqual(["-1", "0", "1", "true", "false"].map((v) => set(v).silenceSuppression), ["auto", "off", "on", "on", "off"]);
  assert.deepEqual(set("2"), {});
});

test("holdtype: hold is refused only where the engine cannot signal it", () => {
  for (const v of ["", "-1", "2", "-2"]) assert.equal(holdAllowed(v), true, v);
  for (const v of ["0", "1", "3", "4"]) assert.equal(holdAllowed(v), false, v);
});
