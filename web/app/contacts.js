// contacts.js: the engine's contact list (contacts.*): each contact with its presence
// and busy lamp while watched, a click calls it, Pick up answers its ringing call
// (blf.pickup); a form adds one, or changes the one Edit put in it; a CSV file adds
// many (contacts.import), a line skipped said with why. With several accounts each
// contact names the account it is watched and called from: the same number on two
// accounts is two people, each with its own presence and lamp.
import { contactStatusText } from "./format.js";
import { el, renderOn, reportTo } from "./dom.js";

/** The state in list (presence.state or blf.state) of contact c: same account, same number. */
export const stateOf = (list, c) => list.find((x) => x.number === c.number && (x.account || "") === (c.account || ""));

export function mountContacts(phone, { $, call }) {
  let contacts = [];
  const accountSelect = $("#contact-account");
  const others = () => (phone.state.accounts || []).filter((a) => !a.default);
  const accountName = (id) => {
    const a = others().find((x) => x.id === id);
    return a ? `${a.username}@${a.server}` : `account ${id}`;
  };

  const render = () => {
    $("#no-contacts").hidden = contacts.length > 0;
    $("#contacts").replaceChildren(...contacts.map((c) => {
      const blf = stateOf(phone.state.blf || [], c);
      const status = contactStatusText(stateOf(phone.state.presence || [], c), blf);
      const at = c.account ? ` · ${accountName(c.account)}` : "";
      const pickup = c.account ? { number: c.number, account: c.account } : { number: c.number };
      return el("li", { "data-lamp": blf?.lamp || "", "data-account": c.account || "" },
        el("button", { type: "button", class: "redial", "aria-label": `Call ${c.name || c.number}`, onclick: () => call(c.number, c.account || "") },
          c.name || c.number),
        el("span", { class: "muted", text: ` ${c.number}${at}${status ? ` · ${status}` : ""}` }),
        blf?.lamp === "ringing" ? el("button", { type: "button", class: "small", onclick: () =>
          phone.send("blf.pickup", pickup).catch(reportTo("Pick-up failed")) }, "Pick up") : "",
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
    renderAccounts(c.account || "");
    form.name.value = c.name || "";
    form.number.value = c.number;
    form.presence.checked = !!c.presence;
    form.blf.checked = !!c.blf;
    form.name.focus();
  };
  const load = () => phone.send("contacts.list").then((r) => { contacts = r.contacts || []; render(); }, () => {});

  // The form's account: the default ("") or another, shown only when there is a
  // choice; the one chosen (kept) stays, a contact's on an account that went too.
  const renderAccounts = (kept = accountSelect.value) => {
    accountSelect.replaceChildren(el("option", { value: "", text: "Default account" }),
      ...others().map((a) => el("option", { value: a.id, text: `${a.username}@${a.server}` })));
    if (kept && ![...accountSelect.options].some((o) => o.value === kept)) {
      accountSelect.append(el("option", { value: kept, text: accountName(kept) }));
    }
    accountSelect.value = kept;
    $("#contact-account-field").hidden = others().length === 0;
  };

  phone.on("hello", load);
  phone.on("contacts.changed", (d) => { contacts = d?.contacts || []; render(); });
  renderOn(phone, ["presence.state", "blf.state", "accounts.changed"], render);
  renderOn(phone, ["accounts.changed"], () => renderAccounts());

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target;
    const args = { name: f.name.value, number: f.number.value, presence: f.presence.checked, blf: f.blf.checked, account: f.account.value };
    if (f.contact.value) args.id = f.contact.value;
    phone.send("contacts.set", args)
      .then(() => { f.reset(); editing(null); renderAccounts(""); }, reportTo("Contact not saved"));
  });
  $("#contact-import").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    file.text().then((csv) => phone.send("contacts.import", { csv }))
      .then((r) => { if (r?.skipped?.length) reportTo("Some lines were skipped")(skippedText(r)); },
        reportTo("Contacts not imported"))
      .finally(() => { e.target.value = ""; });
  });
  if (phone.status === "connected") load();
  renderAccounts();
  render();
}

/** What an import skipped: "1 of 3 (line 4: no account "x" ...)", the first few lines with why. */
export function skippedText(r) {
  const shown = 3;
  const lines = r.skipped.slice(0, shown).map((s) => `line ${s.line}: ${s.reason}`);
  if (r.skipped.length > shown) lines.push(`${r.skipped.length - shown} more`);
  return `${r.skipped.length} of ${r.added + r.skipped.length} (${lines.join("; ")})`;
}
