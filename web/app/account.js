// account.js: the SIP account form and the registration line. Changing the account
// needs an admin connection (the engine's own page, or an origin the administrator
// made admin); anyone else sees it read-only, with why.
import { registrationText } from "./format.js";
import { renderOn, reportTo } from "./dom.js";

const TEXT_FIELDS = ["server", "username", "authUsername", "displayName"];

export function mountAccount(phone, { $ }) {
  const form = $("#account");
  const f = form.elements;
  // The form follows the engine until the user edits it; saving hands it back.
  let edited = false;
  form.addEventListener("input", () => { edited = true; });

  const renderRegistration = () => {
    const reg = phone.state.registration;
    $("#registration").textContent = registrationText(reg, phone.state.account);
    $("#registration").dataset.state = reg?.state || "";
  };

  const renderForm = () => {
    const admin = phone.permission === "admin";
    $("#account-readonly").hidden = admin;
    for (const e of f) e.disabled = !admin;
    const acc = phone.state.account;
    if (!acc || edited) return;
    for (const k of TEXT_FIELDS) f[k].value = acc[k] || "";
    f.transport.value = acc.transport || "udp";
    f.register.checked = acc.register !== false;
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const args = Object.fromEntries(TEXT_FIELDS.map((k) => [k, f[k].value.trim()]));
    args.transport = f.transport.value;
    args.register = f.register.checked;
    if (f.password.value) args.password = f.password.value; // empty: unchanged
    try {
      await phone.setAccount(args);
      f.password.value = "";
      edited = false;
      renderForm();
    } catch (err) {
      reportTo("Account not saved")(err);
    }
  });
  $("#unregister").addEventListener("click", () => phone.unregister().catch(reportTo("Unregister failed")));

  renderOn(phone, ["reg.state", "account.changed"], () => {
    renderRegistration();
    renderForm();
  });
}
