// lines.js: the calls, one item per line with its state, a running timer once
// answered, and the buttons that apply: answer / reject / silence / forward while
// ringing (forward to the number in the dial field); hang up; hold / resume, mute,
// transfer and a DTMF keypad once active, with a quality badge (MOS; loss, jitter and
// round trip in its tooltip) from call.stats. Transfer sends the call to the number
// in the dialer (blind); with a second active call, "Transfer to line N" hands this
// call's peer to that call's party (attended), and "Conference" joins the lines into
// the engine's local conference, which a member leaves with "Leave conference". A
// transfer's progress (call.transfer) shows under the line it moves, and a call that
// rings while another is up says it is call waiting. Record starts the engine's
// recording of an active call (call.record) and marks the line until it stops. An
// outgoing call someone else's phone picked up while it rang shows its new peer, the
// picker, and says "picked up by" them.
import {
  KEYS, callStatus, duration, isRinging, isWaiting, peerLabel, pickedUpText, qualityBadge, talkTime, transferText,
} from "./format.js";
import { el, renderOn, reportTo, showError } from "./dom.js";

export function mountLines(phone, { $ }) {
  const list = $("#lines");
  const quality = new Map(); // callId -> the call's last call.stats figures
  const badgeOf = (c) => {
    const badge = qualityBadge(quality.get(c.callId));
    return badge && el("span", {
      class: `quality q-${badge.level}`, title: badge.title, "aria-label": `Call quality ${badge.title}`, text: badge.text,
    });
  };
  // New figures change the badges in place: redrawing the call's buttons every few
  // seconds would lose a click that falls between press and release.
  phone.on("call.stats", (d) => {
    for (const st of d?.calls || []) quality.set(st.callId, st);
    for (const c of phone.state.lines.filter((x) => x.state === "active")) {
      const status = list.querySelector(`li.line[data-line="${c.line}"] .line-status`);
      const badge = badgeOf(c);
      if (!status || !badge) continue;
      status.querySelector(".quality")?.remove();
      status.append(badge);
    }
  });
  const transfers = new Map(); // callId -> the call's last call.transfer event
  phone.on("call.transfer", (t) => { if (t?.callId) transfers.set(t.callId, t); });
  const recording = new Set(); // the callIds whose recording runs (call.recording)
  phone.on("call.recording", (r) => {
    if (r?.state === "started") recording.add(r.callId);
    else recording.delete(r?.callId);
  });
  phone.on("call.state", (c) => {
    if (c.state !== "ended") return;
    quality.delete(c.callId);
    transfers.delete(c.callId);
  });

  // A blind transfer goes to the number typed in the dialer.
  const blindTransfer = async (ref) => {
    const to = $("#number").value.trim();
    if (!to) throw new Error("type the number to transfer to in the dialer first");
    return phone.transfer(to, ref);
  };

  // A ringing call goes to the number typed in the dial field (302).
  const forward = async (ref) => {
    const to = $("#number").value.trim();
    if (!to) {
      showError("Forward: type the number to forward to in the dial field first");
      return;
    }
    await phone.forward(to, ref);
  };

  // Conference joins c's line; with no conference yet, the first add conferences the
  // selected line's call too, so from the selected line it adds another active call.
  const joinConference = (c) => {
    const { lines, selectedLine } = phone.state;
    const other = lines.find((x) => x.state === "active" && x.callId !== c.callId);
    const first = !lines.some((x) => x.conference) && c.line === selectedLine;
    return phone.conferenceAdd(first ? other.callId : c.callId);
  };

  const item = (c) => {
    const ref = c.callId;
    const act = (label, cls, what, fn) => el("button", {
      type: "button", class: cls, "aria-label": `${label}, line ${c.line}`,
      onclick: () => fn().catch(reportTo(`${what} failed`)),
    }, label);

    const row = el("div", { class: "row actions" });
    if (isRinging(c)) {
      row.append(act("Answer", "call", "Answer", () => phone.answer(ref)), act("Reject", "end", "Reject", () => phone.reject(ref)));
      if (!c.ignored) row.append(act("Silence", "", "Silence", () => phone.ignore(ref)));
      row.append(act("Forward", "", "Forward", () => forward(ref)));
    } else {
      row.append(act("Hang up", "end", "Hang up", () => phone.hangup(ref)));
    }
    const li = el("li", {
      class: `line state-${c.state}`, "data-line": c.line, "data-state": c.state, "data-held": String(!!c.held),
      "data-conference": String(!!c.conference),
      "aria-label": `Line ${c.line}: ${callStatus(c)}${c.conference ? ", in conference" : ""}, ${peerLabel(c)}`,
    },
    el("div", { class: "line-head" },
      el("strong", { text: `Line ${c.line}` }),
      el("span", { class: "peer", text: ` ${c.direction === "incoming" ? "from" : "to"} ${peerLabel(c)}` })),
    el("div", { class: "line-status" },
      el("span", { class: "status", text: callStatus(c) }),
      el("span", { class: "timer", role: "timer", "data-since": c.answeredAt || null, text: c.answeredAt ? duration(talkTime(c)) : "" })),
    row);
    if (isWaiting(c, phone.state.lines)) li.querySelector(".status").append(el("span", { class: "waiting", text: " · call waiting" }));
    if (recording.has(ref)) li.querySelector(".status").append(el("span", { class: "recording", text: " · recording" }));
    const pickedUp = pickedUpText(c);
    if (pickedUp) li.querySelector(".status").append(el("span", { class: "picked-up", text: ` · ${pickedUp}` }));
    const transfer = transferText(transfers.get(c.callId));
    if (transfer) {
      li.insertBefore(el("p", {
        class: `transfer t-${transfers.get(c.callId).state}`, role: "status", "aria-label": `Transfer, line ${c.line}`, text: transfer,
      }), row);
    }
    if (c.state !== "active") return li;

    const badge = badgeOf(c);
    if (badge) li.querySelector(".line-status").append(badge);
    row.append(
      act(c.held ? "Resume" : "Hold", "", c.held ? "Resume" : "Hold", () => phone.hold(!c.held, ref)),
      act(c.muted ? "Unmute" : "Mute", c.muted ? "on" : "", "Mute", () => phone.mute(!c.muted, ref)),
      act("Transfer", "", "Transfer", () => blindTransfer(ref)),
      recording.has(ref)
        ? act("Stop recording", "on", "Stop recording", () => phone.record(false, ref))
        : act("Record", "", "Record", () => phone.record(true, ref)));
    if (c.conference) {
      row.append(act("Leave conference", "", "Leave conference", () => phone.conferenceRemove(ref)));
    } else if (phone.state.lines.some((x) => x.state === "active" && x.callId !== ref)) {
      row.append(act("Conference", "", "Conference", () => joinConference(c)));
    }
    for (const other of phone.state.lines.filter((x) => x.state === "active" && x.callId !== ref)) {
      row.append(act(`Transfer to line ${other.line}`, "", "Transfer",
        () => phone.transfer({ consultCallId: other.callId }, ref)));
    }
    li.append(el("div", { class: "keypad small", role: "group", "aria-label": `Keypad, line ${c.line}` },
      ...KEYS.map((k) => el("button", {
        type: "button", class: "key", "aria-label": `DTMF ${k}, line ${c.line}`,
        onclick: () => phone.dtmf(k, ref).catch(reportTo("DTMF not sent")),
      }, k))));
    return li;
  };

  // Re-rendering moves focus out of the list; put it back on the same button so a
  // keyboard user can press Hold then Resume without hunting for it.
  const render = () => {
    const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
    const lines = phone.state.lines;
    $("#no-calls").hidden = lines.length > 0;
    list.replaceChildren(...lines.map(item));
    if (focused) {
      const same = [...list.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === focused)
        || list.querySelector("button");
      same?.focus();
    }
  };

  setInterval(() => {
    for (const t of list.querySelectorAll(".timer[data-since]")) t.textContent = duration(Date.now() - Number(t.dataset.since));
  }, 500);

  renderOn(phone, ["call.state", "call.transfer", "call.recording", "line.selected"], render);
}
