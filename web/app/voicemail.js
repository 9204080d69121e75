// voicemail.js: the voicemail boxes (the engine's mwi.state) and the Voicemail
// button, which dials the voicemailNumber setting. The default account's count
// shows while the engine knows its box; with several accounts each other account
// with messages shows its own, named. The button shows while a number is set.
import { el, renderOn } from "./dom.js";
import { voicemailText } from "./format.js";

/** Whether a box has something to say: messages waiting, new or old. */
const worthShowing = (box) => !!box && (box.waiting || box.new > 0 || box.old > 0);

export function mountVoicemail(phone, { $, call }) {
  const count = $("#voicemail-count");
  const others = $("#voicemail-accounts");
  const button = $("#voicemail");
  const number = () => phone.state.settings?.voicemailNumber || "";
  renderOn(phone, ["mwi.state", "settings.changed", "accounts.changed"], () => {
    const box = phone.state.mwi;
    count.hidden = !worthShowing(box);
    count.textContent = box ? voicemailText(box) : "";
    count.classList.toggle("on", !!box?.waiting);
    const accounts = phone.state.accounts || [];
    others.replaceChildren(...(phone.state.mwiAccounts || []).filter(worthShowing).flatMap((b) => {
      const a = accounts.find((x) => x.id === b.account);
      if (!a) return []; // its account went
      return [el("span", { class: `badge${b.waiting ? " on" : ""}`, "data-account": a.id, text: `${a.username}@${a.server}: ${voicemailText(b)}` })];
    }));
    button.hidden = !number();
  });
  button.addEventListener("click", () => { if (number()) call(number()); });
}
