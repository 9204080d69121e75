// referrals.js: the peer of a call asks us to call another party (call.referred,
// when the engine's transferIncoming setting is "ask"). The page asks the user:
// "Bob asks you to call carol", Call or Decline, answered with call.referral. The
// question goes away once answered, or when its call ends (the engine declines by
// itself after 30 seconds, and the call's end takes the question with it).
import { referralText } from "./format.js";
import { el, renderOn, reportTo } from "./dom.js";

export function mountReferrals(phone, { $ }) {
  const box = $("#referrals");
  const asked = new Map(); // callId -> the call.referred event

  const answer = (ref, accept) => {
    asked.delete(ref);
    render();
    return phone.referral(accept, ref).catch(reportTo(accept ? "Call not placed" : "Decline failed"));
  };

  const item = (r) => {
    const call = phone.state.lines.find((c) => c.callId === r.callId);
    const text = referralText(call, r.target);
    return el("li", { class: "referral", "data-call": r.callId, role: "alertdialog", "aria-label": text },
      el("p", { text }),
      el("div", { class: "row actions" },
        el("button", { type: "button", class: "call", "aria-label": `Call, ${text}`, onclick: () => answer(r.callId, true) }, "Call"),
        el("button", { type: "button", class: "end", "aria-label": `Decline, ${text}`, onclick: () => answer(r.callId, false) }, "Decline")));
  };

  const render = () => {
    box.replaceChildren(...[...asked.values()].map(item));
    box.hidden = asked.size === 0;
  };

  phone.on("call.referred", (r) => { if (r?.callId) asked.set(r.callId, r); });
  phone.on("call.state", (c) => { if (c.state === "ended") asked.delete(c.callId); });
  renderOn(phone, ["call.referred", "call.state"], render);
}
