// chatsettings.js: the messages' notifications, under the send box. "Delivery
// notifications" is the imdn setting: our messages ask the recipient's phone to say
// when one arrived (RFC 5438), for servers and peers that read them. "Read receipts"
// is imdnDisplay: ours ask to be told when one was read too, and a message received
// asking for it is answered when its conversation is opened. Both follow the engine,
// whoever changed them.
import { renderOn, reportTo } from "./dom.js";

/** The chat settings, by the id of their checkbox, and what each is called. */
const TOGGLES = { imdn: ["imdn", "Delivery notifications"], "imdn-display": ["imdnDisplay", "Read receipts"] };

export function mountChatSettings(phone, { $ }) {
  for (const [id, [key, what]] of Object.entries(TOGGLES)) {
    $(`#${id}`).addEventListener("change", (e) =>
      phone.setSettings({ [key]: e.target.checked }).catch(reportTo(`${what} not changed`)));
  }
  renderOn(phone, ["settings.changed"], () => {
    const s = phone.state.settings;
    if (!s) return;
    for (const [id, [key]] of Object.entries(TOGGLES)) $(`#${id}`).checked = !!s[key];
  });
}
