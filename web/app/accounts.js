// accounts.js: the accounts besides the default one, each with its registration,
// under the account form. An admin connection (the engine's own page) adds, edits
// and removes them; anyone else sees the list.
import { registrationText } from "./format.js";
import { el, renderOn, reportTo } from "./dom.js";
import { mountAccountEdit } from "./accountedit.js";

export function mountAccounts(phone, { $ }) {
  const list = $("#accounts");
  const form = $("#account-add");
  const f = form.elements;
  const editor = mountAccountEdit(phone, { $ });

  const render = () => {
    const admin = phone.permission === "admin";
    form.hidden = !admin;
    const others = (phone.state.accounts || []).filter((a) => !a.default);
    $("#no-accounts").hidden = others.length > 0;
    editor.follow(admin ? others : []);
    list.replaceChildren(...others.map((a) => el("li", { class: "account", "data-id": a.id, "data-state": a.registration?.state || "" },
      el("span", { class: "reg", text: registrationText(a.registration, a) }),
      ...(admin ? [" ",
        el("button", { type: "button", class: "small", "aria-label": `Edit ${a.username}@${a.server}`, text: "Edit",
          onclick: () => editor.open(a) }), " ",
        el("button", { type: "button", class: "small", "aria-label": `Remove ${a.username}@${a.server}`, text: "Remove",
          onclick: () => phone.removeAccount(a.id).catch(reportTo("Account not removed")) })] : []))));
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const args = { server: f.server.value.trim(), username: f.username.value.trim(), transport: f.transport.value, register: true };
    if (f.password.value) args.password = f.password.value;
    try {
      await phone.addAccount(args);
      form.reset();
    } catch (err) {
      reportTo("Account not added")(err);
    }
  });

  renderOn(phone, ["reg.state", "accounts.changed"], render);
}
