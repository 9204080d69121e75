// voicemail.js: the voicemail boxes (the engine's mwi.state) and the Voicemail
// buttons. The default account's count shows while the engine knows its box, and
// its button dials the voicemailNumber setting (else the account's own number).
// With several accounts, each other account with messages or a voicemail number
// shows its own count and button, named, the button calling from that account.
import { el, renderOn } from "./dom.js";
import { voicemailText } from "./format.js";

/** Whether a box has something to say: messages waiting, new or old. */
const worthShowing = (box) => !!box && (box.waiting || box.new > 0 || box.old > 0);

export function mountVoicemail(phone, { $, call }) {
  const count = $("#voicemail-count");
  const others = $("#voicemail-accounts");
  const button = $("#voicemail");
  const number = () => phone.state.settings?.voicemailNumber || phone.state.accounts?.find((a) => a.default)?.voicemailNumber || "";
  renderOn(phone, ["mwi.state", "settings.changed", "accounts.changed"], () => {
    const box = phone.state.mwi;
    count.hidden = !worthShowing(box);
    count.textContent = box ? voicemailText(box) : "";
    count.classList.toggle("on", !!box?.waiting);
    const boxes = phone.state.mwiAccounts || [];
    others.replaceChildren(...(phone.state.accounts || []).filter((a) => !a.default).flatMap((a) => {
      const b = boxes.find((x) => x.account === a.id);
      const name = `${a.username}@${a.server}`;
      return [
        worthShowing(b) ? el("span", { class: `badge${b.waiting ? " on" : ""}`, "data-account": a.id, text: `${name}: ${voicemailText(b)}` }) : "",
        a.voicemailNumber ? el("button", { type: "button", class: "small", "data-account": a.id, "aria-label": `Voicemail of ${name}`,
          onclick: () => call(a.voicemailNumber, a.id) }, "Voicemail") : "",
      ].filter(Boolean);
    }));
    button.hidden = !number();
  });
  button.addEventListener("click", () => { if (number()) call(number(), ""); });
}
