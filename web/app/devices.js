// devices.js: the microphone, speaker and ringer pickers, their volumes, and the
// live input level meter (audio.level events, in dBFS).
import { el, renderOn, reportTo } from "./dom.js";

const PICKERS = [
  { id: "#input", list: "inputs", selected: "selectedInput", key: "input" },
  { id: "#output", list: "outputs", selected: "selectedOutput", key: "output" },
  { id: "#ringer", list: "outputs", selected: "selectedRinger", key: "ringer" },
];
const VOLUMES = [
  { id: "#vol-input", field: "inputVolume", key: "input" },
  { id: "#vol-output", field: "outputVolume", key: "output" },
  { id: "#vol-ringer", field: "ringerVolume", key: "ringer" },
];
const FLOOR = -60; // the meter's bottom, dBFS

export function mountDevices(phone, { $ }) {
  // A picker the user is working with is not redrawn under their hands.
  const fill = (select, devices, selected) => {
    if (document.activeElement === select) return;
    const options = devices.map((d) => el("option", { value: d.id }, d.name + (d.default ? " (default)" : "")));
    select.replaceChildren(...(options.length ? options : [el("option", { value: "" }, "No device")]));
    select.value = devices.some((d) => d.id === selected) ? selected : devices.find((d) => d.default)?.id || devices[0]?.id || "";
  };

  const render = () => {
    const d = phone.state.devices;
    if (!d) return;
    for (const p of PICKERS) fill($(p.id), d[p.list] || [], d[p.selected]);
    for (const v of VOLUMES) {
      const input = $(v.id);
      if (document.activeElement !== input) input.value = String(d[v.field] ?? 50);
      input.setAttribute("aria-valuetext", `${input.value} %`);
    }
  };

  for (const p of PICKERS) {
    $(p.id).addEventListener("change", (e) => phone.selectDevices({ [p.key]: e.target.value }).catch(reportTo("Device not changed")));
  }
  for (const v of VOLUMES) {
    $(v.id).addEventListener("change", (e) => phone.setVolume({ [v.key]: Number(e.target.value) }).catch(reportTo("Volume not changed")));
  }

  const meter = $("#level");
  phone.on("audio.level", (l) => {
    const db = Math.max(FLOOR, Math.min(0, Number(l?.input) || FLOOR));
    meter.value = db;
    meter.textContent = `${db} dBFS`;
  });
  renderOn(phone, ["devices.changed"], render);
}
