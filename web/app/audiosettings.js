// audiosettings.js: the audio settings beside the devices: the microphone's
// processing (echo cancellation, noise suppression, gain control) and silence
// suppression (comfort noise in the microphone's silences), each auto, on or off;
// the recordings' format (WAV or Ogg Opus), and the account's codecs, which are on
// and in what order of preference. Each follows the engine, whoever changed it.
// The codecs are the account's (account.set, an admin connection's); the rest are
// settings (settings.set).
import { el, renderOn, reportTo } from "./dom.js";

/** The codecs the engine knows, in its own order of preference. */
const CODECS = ["opus", "G722", "PCMU", "PCMA"];
/** The auto/on/off settings, by the id of their select, and what each is called. */
const PROCESSING = {
  aec: "Echo cancellation", denoise: "Noise suppression", agc: "Gain control", silenceSuppression: "Silence suppression",
};

export function mountAudioSettings(phone, { $ }) {
  const format = $("#record-format");
  const list = $("#codecs");

  format.addEventListener("change", () =>
    phone.setSettings({ recordFormat: format.value }).catch(reportTo("Recording format not changed")));
  for (const [key, what] of Object.entries(PROCESSING)) {
    $(`#${key}`).addEventListener("change", (e) =>
      phone.setSettings({ [key]: e.target.value }).catch(reportTo(`${what} not changed`)));
  }

  // The list shows the account's codecs in its order, then the ones it leaves out.
  const order = () => {
    const on = (phone.state.account?.codecs || []).map((c) => CODECS.find((k) => k.toLowerCase() === c.toLowerCase()) || c);
    return [...on.map((name) => ({ name, on: true })), ...CODECS.filter((c) => !on.includes(c)).map((name) => ({ name, on: false }))];
  };
  const save = (items) => {
    const codecs = items.filter((i) => i.on).map((i) => i.name);
    if (!codecs.length) return renderCodecs(); // a call needs one codec at least
    phone.setAccount({ codecs }).catch((err) => { reportTo("Codecs not changed")(err); renderCodecs(); });
  };
  const move = (items, i, by) => {
    const j = i + by;
    if (j < 0 || j >= items.length) return;
    [items[i], items[j]] = [items[j], items[i]];
    save(items);
  };
  const renderCodecs = () => {
    const admin = phone.permission === "admin";
    const items = order();
    list.replaceChildren(...items.map((c, i) => el("li", { "data-codec": c.name },
      el("label", {}, el("input", {
        type: "checkbox", checked: c.on, disabled: !admin, "aria-label": `${c.name} on`,
        onchange: (e) => { items[i].on = e.target.checked; save(items); },
      }), c.name),
      el("button", { type: "button", class: "small", disabled: !admin || i === 0, "aria-label": `Move ${c.name} up`, onclick: () => move(items, i, -1) }, "↑"),
      el("button", { type: "button", class: "small", disabled: !admin || i === items.length - 1, "aria-label": `Move ${c.name} down`, onclick: () => move(items, i, 1) }, "↓"))));
  };

  const renderSettings = () => {
    const s = phone.state.settings;
    if (!s) return;
    if (document.activeElement !== format) format.value = s.recordFormat || "wav";
    for (const key of Object.keys(PROCESSING)) {
      const sel = $(`#${key}`);
      if (document.activeElement !== sel) sel.value = s[key] || "auto";
    }
  };

  renderOn(phone, ["settings.changed"], renderSettings);
  renderOn(phone, ["account.changed"], renderCodecs);
}
