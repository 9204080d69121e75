// voicemail.js: the account's voicemail box (the engine's mwi.state) and the
// Voicemail button, which dials the voicemailNumber setting. The count shows while
// the engine knows the box; the button while a number is set.
import { renderOn } from "./dom.js";
import { voicemailText } from "./format.js";

export function mountVoicemail(phone, { $, call }) {
  const count = $("#voicemail-count");
  const button = $("#voicemail");
  const number = () => phone.state.settings?.voicemailNumber || "";
  renderOn(phone, ["mwi.state", "settings.changed"], () => {
    const box = phone.state.mwi;
    count.hidden = !box || (!box.waiting && !box.new && !box.old);
    count.textContent = box ? voicemailText(box) : "";
    count.classList.toggle("on", !!box?.waiting);
    button.hidden = !number();
  });
  button.addEventListener("click", () => { if (number()) call(number()); });
}
