// accountedit.js: the form that edits one of the accounts besides the default
// (account.update, which the page offers to an admin connection only). It shows
// the account as accounts.list reports it, never its password: an empty password
// field keeps the stored one.
import { reportTo } from "./dom.js";

const TEXT_FIELDS = ["server", "username", "authUsername", "displayName", "outboundProxy", "voicemailNumber"];

/** Mounts the edit form; returns { open(account), follow(accounts) }. */
export function mountAccountEdit(phone, { $ }) {
  const form = $("#account-edit");
  const f = form.elements;
  let editing = null; // the id of the account in the form

  const close = () => {
    editing = null;
    form.reset();
    form.hidden = true;
  };

  const open = (a) => {
    form.reset();
    editing = a.id;
    for (const k of TEXT_FIELDS) f[k].value = a[k] || "";
    f.transport.value = a.transport || "udp";
    f.registerInterval.value = a.registerInterval ? String(a.registerInterval) : "";
    f.codecs.value = (a.codecs || []).join(", ");
    $("#edit-title").textContent = `Edit ${a.username}@${a.server}`;
    form.hidden = false;
    f.server.focus();
  };

  // The form closes when its account is removed, or the connection is no longer admin.
  const follow = (accounts) => {
    if (editing !== null && !accounts.some((a) => a.id === editing)) close();
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const args = Object.fromEntries(TEXT_FIELDS.map((k) => [k, f[k].value.trim()]));
    args.transport = f.transport.value;
    args.registerInterval = Number(f.registerInterval.value || 0);
    args.codecs = f.codecs.value.split(/[\s,]+/).filter(Boolean);
    if (f.password.value) args.password = f.password.value; // empty: unchanged
    try {
      await phone.updateAccount(editing, args);
      close();
    } catch (err) {
      reportTo("Account not saved")(err);
    }
  });
  $("#edit-cancel").addEventListener("click", close);

  return { open, follow };
}
