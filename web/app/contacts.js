// contacts.js: the engine's contact list (contacts.*): each contact with its presence
// and busy lamp while watched, a click calls it, Pick up answers its ringing call
// (blf.pickup); a form adds one, or changes the one Edit put in it; a CSV file adds
// many (contacts.import).
import { contactStatusText } from "./format.js";
import { el, renderOn, reportTo } from "./dom.js";

export function mountContacts(phone, { $, call }) {
  let contacts = [];
  const byNumber = (list, number) => list.find((x) => x.number === number);

  const render = () => {
    $("#no-contacts").hidden = contacts.length > 0;
    $("#contacts").replaceChildren(...contacts.map((c) => {
      const blf = byNumber(phone.state.blf || [], c.number);
      const status = contactStatusText(byNumber(phone.state.presence || [], c.number), blf);
      return el("li", { "data-lamp": blf?.lamp || "" },
        el("button", { type: "button", class: "redial", "aria-label": `Call ${c.name || c.number}`, onclick: () => call(c.number) },
          c.name || c.number),
        el("span", { class: "muted", text: ` ${c.number}${status ? ` · ${status}` : ""}` }),
        blf?.lamp === "ringing" ? el("button", { type: "button", class: "small", onclick: () =>
          phone.send("blf.pickup", { number: c.number }).catch(reportTo("Pick-up failed")) }, "Pick up") : "",
        el("button", { type: "button", class: "small", "aria-label": `Edit ${c.name || c.number}`, onclick: () => edit(c) }, "Edit"),
        el("button", { type: "button", class: "small", "aria-label": `Delete ${c.name || c.number}`, onclick: () =>
          phone.send("contacts.delete", { id: c.id }).catch(reportTo("Contact not deleted")) }, "Delete"));
    }));
  };
  // edit puts contact c in the form, which then changes it instead of adding one.
  const form = $("#contact-form");
  const editing = (c) => {
    form.contact.value = c?.id || "";
    $("#contact-save").textContent = c ? "Save" : "Add";
  };
  const edit = (c) => {
    editing(c);
    form.name.value = c.name || "";
    form.number.value = c.number;
    form.presence.checked = !!c.presence;
    form.blf.checked = !!c.blf;
    form.name.focus();
  };
  const load = () => phone.send("contacts.list").then((r) => { contacts = r.contacts || []; render(); }, () => {});

  phone.on("hello", load);
  phone.on("contacts.changed", (d) => { contacts = d?.contacts || []; render(); });
  renderOn(phone, ["presence.state", "blf.state"], render);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target;
    const args = { name: f.name.value, number: f.number.value, presence: f.presence.checked, blf: f.blf.checked };
    if (f.contact.value) args.id = f.contact.value;
    phone.send("contacts.set", args)
      .then(() => { f.reset(); editing(null); }, reportTo("Contact not saved"));
  });
  $("#contact-import").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    file.text().then((csv) => phone.send("contacts.import", { csv }))
      .then((r) => { if (r?.skipped?.length) reportTo("Some lines were skipped")(`${r.skipped.length} of ${r.added + r.skipped.length}`); },
        reportTo("Contacts not imported"))
      .finally(() => { e.target.value = ""; });
  });
  if (phone.status === "connected") load();
  render();
}
