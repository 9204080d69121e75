// chat.js: the instant messages the engine keeps. The conversations, the latest
// first, each with its unread count; a click opens one's thread (marking it read)
// and puts its peer in the send box. Messages come and go as chat.message events,
// their delivery as chat.status; the unread total is the snapshot's, kept by
// chat.unread.
import { CHAT_STATES } from "../lib/texts.js";
import { el, reportTo } from "./dom.js";

const THREAD = 50; // the newest messages of a thread shown

export function mountChat(phone, { $ }) {
  const conversations = new Map(); // peer -> { peer, last, unread }
  let open = "";                   // the peer whose thread is shown
  let thread = [];                 // its messages, oldest first

  const peerName = (m) => m.peerName || m.peer;

  const renderUnread = () => {
    const n = phone.state.unreadMessages || 0;
    const badge = $("#chat-unread");
    badge.hidden = n === 0;
    badge.textContent = String(n);
    badge.setAttribute("aria-label", `${n} unread`);
  };

  const renderConversations = () => {
    const list = [...conversations.values()].sort((a, b) => b.last.id - a.last.id);
    $("#no-chats").hidden = list.length > 0;
    $("#conversations").replaceChildren(...list.map((c) => el("li", { "data-peer": c.peer, "data-unread": String(c.unread), class: c.peer === open ? "open" : "" },
      el("button", { type: "button", class: "conversation", "aria-label": `Messages with ${peerName(c.last)}`, onclick: () => openThread(c.peer) },
        el("span", { class: "peer", text: peerName(c.last) }),
        c.unread ? el("span", { class: "badge", "aria-label": `${c.unread} unread`, text: String(c.unread) }) : "",
        el("span", { class: "muted last", text: c.last.text })))));
  };

  const renderThread = () => {
    $("#thread-box").hidden = !open;
    $("#thread-peer").textContent = open;
    $("#thread").replaceChildren(...thread.map((m) => el("li", { class: `msg ${m.direction}`, "data-id": String(m.id), "data-state": m.state },
      el("span", { class: "text", text: m.text }),
      el("span", { class: "muted when", text: ` ${new Date(m.time).toLocaleTimeString()}${CHAT_STATES[m.state] ? " · " + CHAT_STATES[m.state] : ""}` }))));
    $("#thread").scrollTop = $("#thread").scrollHeight; // the newest in view
  };

  const note = (m) => {
    const c = conversations.get(m.peer) || { peer: m.peer, last: m, unread: 0 };
    if (m.id >= c.last.id) c.last = m;
    if (m.direction === "incoming" && !m.read && m.peer !== open) c.unread++;
    conversations.set(m.peer, c);
  };

  const markRead = (peer) => {
    const c = conversations.get(peer);
    if (!c?.unread) return;
    c.unread = 0;
    phone.readChat(peer).catch(reportTo("Messages not marked read"));
  };

  const openThread = (peer) => {
    open = peer;
    $("#chat-to").value = peer;
    phone.listChat({ peer, limit: THREAD }).then((page) => {
      if (open !== peer) return;
      thread = [...(page.messages || [])].reverse();
      markRead(peer);
      renderThread();
      renderConversations();
    }, reportTo("Messages not loaded"));
  };

  const load = () => phone.conversations().then((all) => {
    conversations.clear();
    for (const c of all.conversations || []) conversations.set(c.peer, { ...c });
    renderConversations();
    if (open) openThread(open);
  }, () => { /* an engine that keeps no messages: nothing to show */ });

  phone.on("hello", () => {
    load();
    renderUnread();
  });
  phone.on("chat.unread", renderUnread);
  phone.on("chat.message", (m) => {
    note(m);
    if (m.peer === open) {
      thread = [...thread, m].slice(-THREAD);
      if (m.direction === "incoming") phone.readChat(open).catch(() => {});
      renderThread();
    }
    renderConversations();
  });
  phone.on("chat.status", (s) => {
    const m = thread.find((x) => x.id === s.id);
    const c = conversations.get(s.peer);
    for (const target of [m, c?.last.id === s.id ? c.last : null]) {
      if (target) Object.assign(target, { state: s.state, code: s.code, reason: s.reason });
    }
    renderThread();
  });

  $("#chat-send").addEventListener("submit", (e) => {
    e.preventDefault();
    const to = $("#chat-to").value.trim();
    const text = $("#chat-text").value;
    if (!to || !text.trim()) return;
    phone.sendChat(to, text).then(({ peer }) => {
      $("#chat-text").value = "";
      if (peer !== open) openThread(peer);
    }, reportTo("Message not sent"));
  });

  if (phone.status === "connected") load();
  renderUnread();
  renderConversations();
  renderThread();
}
