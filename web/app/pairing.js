// pairing.js: the sites asking to use the phone (Allow / Deny), the approved ones
// (Revoke) and those the administrator set. Only admin connections see it.
import { el, reportTo } from "./dom.js";

export function mountPairing(phone, { $ }) {
  const section = $("#pairing");
  const time = (t) => new Date(t).toLocaleString();

  // An origin is text chosen by whoever asks: it goes in as text, never markup.
  const item = (origin, detail, buttons) => el("li", {},
    el("span", { class: "origin", text: origin }),
    el("span", { class: "when", text: ` ${detail} ` }),
    ...buttons.map(([label, cls, cmd]) => el("button", {
      type: "button", class: cls, "aria-label": `${label} ${origin}`,
      onclick: () => phone.send(cmd, { origin }).catch(reportTo(`${label} failed`)),
    }, label)));

  const render = (list) => {
    const pending = list.pending || [];
    $("#pairing-pending").replaceChildren(...pending.map((r) =>
      item(r.origin, `asked ${time(r.time)}, wants to place and answer calls`, [["Allow", "call", "pair.approve"], ["Deny", "end", "pair.deny"]])));
    $("#pairing-paired").replaceChildren(...(list.paired || []).map((p) =>
      item(p.origin, `approved ${time(p.approved)}`, [["Revoke", "", "pair.revoke"]])));
    $("#pairing-provisioned").replaceChildren(...(list.provisioned || []).map((p) =>
      item(p.origin, `set by the administrator (${p.permission})`, [])));
    $("#pairing-empty").hidden = pending.length > 0;
    $("#pairing-empty").textContent = list.enabled === false
      ? "Approving new sites is switched off by the administrator."
      : "No site is waiting for approval.";
    section.classList.toggle("attention", pending.length > 0);
  };

  phone.on("pair.changed", render);
  phone.on("hello", () => {
    const admin = phone.permission === "admin";
    section.hidden = !admin;
    if (admin) phone.send("pair.list").then(render, reportTo("The list of sites could not be read"));
  });
}
