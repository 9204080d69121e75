// tones.js: the sound settings: the ringtone (the built-in ring, or a WAV file of
// the engine's sounds folder, sounds.list), the country whose call-progress tones the
// engine plays (tonePlan), and whether every call is recorded (recordCalls). Each
// follows the engine's setting, whoever changed it.
import { el, renderOn, reportTo } from "./dom.js";

export function mountTones(phone, { $ }) {
  const ringtone = $("#ringtone");
  const plan = $("#tone-plan");
  const record = $("#record-calls");
  let files = [];

  const render = () => {
    const s = phone.state.settings;
    if (!s) return;
    if (document.activeElement !== ringtone) {
      const names = files.includes(s.ringtone) || !s.ringtone ? files : [...files, s.ringtone];
      ringtone.replaceChildren(el("option", { value: "" }, "Built-in"), ...names.map((f) => el("option", { value: f }, f)));
      ringtone.value = s.ringtone || "";
    }
    if (document.activeElement !== plan) plan.value = s.tonePlan || "us";
    record.checked = !!s.recordCalls;
  };
  const loadSounds = () => phone.listSounds().then((r) => { files = r.files || []; render(); }).catch(() => {});

  phone.on("status", (st) => { if (st === "connected") loadSounds(); });
  ringtone.addEventListener("focus", loadSounds);
  ringtone.addEventListener("change", () => phone.setSettings({ ringtone: ringtone.value }).catch(reportTo("Ringtone not changed")));
  plan.addEventListener("change", () => phone.setSettings({ tonePlan: plan.value }).catch(reportTo("Tones not changed")));
  record.addEventListener("change", () => phone.setSettings({ recordCalls: record.checked }).catch(reportTo("Recording not changed")));
  renderOn(phone, ["settings.changed"], render);
}
