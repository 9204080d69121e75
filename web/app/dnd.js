// dnd.js: the do-not-disturb switch. On, the engine refuses every incoming call
// (486 or 603, its dndAction setting) without ringing; such a call shows in the
// history as refused. The switch follows the engine's setting, whoever changed it.
import { renderOn, reportTo } from "./dom.js";

export function mountDnd(phone, { $ }) {
  const button = $("#dnd");
  const on = () => !!phone.state.settings?.dnd;
  renderOn(phone, ["settings.changed"], () => {
    button.hidden = !phone.state.settings;
    button.setAttribute("aria-pressed", String(on()));
    button.classList.toggle("on", on());
  });
  button.addEventListener("click", () => {
    phone.setSettings({ dnd: !on() }).catch(reportTo("Do not disturb not changed"));
  });
}
