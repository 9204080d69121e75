// dialer.js: the number field, the dial pad and the keyboard. Digits, * and # typed
// anywhere on the page go to the number (or, during a call and outside the number
// field, to the call as DTMF); Enter calls; Backspace deletes. With several accounts,
// "Call from" picks the one a call goes from (the default account unless chosen).
import { DIAL_FAILED, KEYS } from "./format.js";
import { el, renderOn, reportTo } from "./dom.js";

/** The call DTMF goes to: the selected line's active call, else any active call. */
export function activeCall(state) {
  const active = state.lines.filter((c) => c.state === "active" && !c.held);
  return active.find((c) => c.line === state.selectedLine) || active[0] || null;
}

export function mountDialer(phone, { $ }) {
  const form = $("#dial");
  const number = $("#number");
  const from = $("#dial-account");

  // The accounts to call from, the default first (its value ""), shown only when
  // there is a choice; a choice that still exists is kept across changes.
  const renderFrom = () => {
    const accounts = [...(phone.state.accounts || [])].sort((a, b) => Number(!!b.default) - Number(!!a.default));
    const kept = from.value;
    from.replaceChildren(...accounts.map((a) =>
      el("option", { value: a.default ? "" : a.id, text: `From ${a.username}@${a.server}` })));
    from.value = [...from.options].some((o) => o.value === kept) ? kept : "";
    from.hidden = accounts.length < 2;
  };
  renderOn(phone, ["accounts.changed"], renderFrom);

  const press = (key) => {
    const call = activeCall(phone.state);
    if (call && document.activeElement !== number) {
      phone.dtmf(key, call.callId).catch(reportTo("DTMF not sent"));
      return;
    }
    number.value += key;
    number.focus(); // so that Enter calls, rather than pressing the last key again
  };

  $("#dialpad").append(...KEYS.map((k) =>
    el("button", { type: "button", class: "key", "aria-label": `Dial ${k}`, onclick: () => press(k) }, k)));

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const to = number.value.trim();
    if (!to) return;
    phone.dial(to, from.value ? { account: from.value } : {}).then(() => { number.value = ""; }, reportTo(DIAL_FAILED));
  });

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    // Fields, lists and buttons keep their own keys (Enter on a button presses it).
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement ||
      t instanceof HTMLButtonElement || e.ctrlKey || e.metaKey || e.altKey) return;
    if (KEYS.includes(e.key)) {
      e.preventDefault();
      press(e.key);
    } else if (e.key === "Backspace" && number.value) {
      e.preventDefault();
      number.value = number.value.slice(0, -1);
    } else if (e.key === "Enter" && number.value.trim()) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  return {
    /**
     * Puts a number in the field and calls it (the history's redial), from account
     * (an id, "" the default) when given and one of the choices.
     */
    call(to, account) {
      if (account !== undefined && [...from.options].some((o) => o.value === account)) from.value = account;
      number.value = to;
      form.requestSubmit();
    },
  };
}
