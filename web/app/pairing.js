// pairing.js: the sites asking to use the phone (Allow / Deny), the approved ones
// (Revoke) and those the administrator set. Only admin connections see it. A site
// that asks to set up the phone account says so in plain words, and the user may
// allow it calls only.
import { el, reportTo } from "./dom.js";

/** The site as a person names it: the origin's host. */
const siteName = (origin) => {
  try {
    return new URL(origin).host || origin;
  } catch {
    return origin;
  }
};

/** What an approved site may do, in plain words. */
const mayDo = (perm) => (perm === "account" ? "may place calls and set up your phone account" : "may place and answer calls");

export function mountPairing(phone, { $ }) {
  const section = $("#pairing");
  const time = (t) => new Date(t).toLocaleString();

  // An origin is text chosen by whoever asks: it goes in as text, never markup.
  // A button is [label, class, command, extra args].
  const item = (origin, detail, buttons, note) => el("li", {},
    el("span", { class: "origin", text: origin }),
    el("span", { class: "when", text: ` ${detail} ` }),
    ...(note ? [el("span", { class: "note", text: note })] : []),
    ...buttons.map(([label, cls, cmd, extra]) => el("button", {
      type: "button", class: cls, "aria-label": `${label} ${origin}`,
      onclick: () => phone.send(cmd, { origin, ...extra }).catch(reportTo(`${label} failed`)),
    }, label)));

  const request = (r) => {
    if (r.permission !== "account") {
      return item(r.origin, `asked ${time(r.time)}, wants to place and answer calls`,
        [["Allow", "call", "pair.approve"], ["Deny", "end", "pair.deny"]]);
    }
    const note = "It could then send your calls through a server it chooses.";
    const wants = `${siteName(r.origin)} wants to set up your phone account`;
    if (r.paired) {
      return item(r.origin, `asked ${time(r.time)}: ${wants}`,
        [["Allow account setup", "call", "pair.approve", { permission: "account" }],
          ["Refuse account setup", "end", "pair.deny"]], note);
    }
    return item(r.origin, `asked ${time(r.time)}: ${wants} and to place and answer calls`,
      [["Allow calls and account setup", "call", "pair.approve", { permission: "account" }],
        ["Allow calls only", "", "pair.approve", { permission: "control" }],
        ["Deny", "end", "pair.deny"]], note);
  };

  const render = (list) => {
    const pending = list.pending || [];
    $("#pairing-pending").replaceChildren(...pending.map(request));
    $("#pairing-paired").replaceChildren(...(list.paired || []).map((p) =>
      item(p.origin, `approved ${time(p.approved)}, ${mayDo(p.permission)}`, [["Revoke", "", "pair.revoke"]])));
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
