// history.js: the calls the engine recorded, newest first: the newest page of its
// history (history.list) on every connection, then each call's record (call.cdr) as
// it ends, whether this page was open or not. A click on one calls it again.
import { historyDetail, historyEntry, historyIcon } from "./format.js";
import { el } from "./dom.js";

const MAX = 100;

export function mountHistory(phone, { $, redial }) {
  const records = new Map(); // record id -> history entry

  const render = () => {
    const list = [...records.values()].sort((a, b) => b.id - a.id).slice(0, MAX);
    $("#no-history").hidden = list.length > 0;
    $("#clear-history").hidden = list.length === 0;
    $("#history").replaceChildren(...list.map((e) => el("li", { "data-direction": e.direction, "data-cause": e.cause, "data-id": String(e.id) },
      el("button", { type: "button", class: "redial", "aria-label": `Call ${e.peer} again`, onclick: () => redial(e.uri || e.peer) },
        el("span", { class: "dir", "aria-hidden": "true", text: historyIcon(e) }), ` ${e.name || e.peer}`),
      el("span", { class: "muted", text: ` ${new Date(e.at).toLocaleString()} · ${historyDetail(e)}` }))));
  };
  const add = (record) => {
    if (record?.id) records.set(record.id, { id: record.id, ...historyEntry(record) });
  };
  const load = () => phone.listHistory({ limit: MAX }).then((page) => {
    for (const r of page.calls || []) add(r);
    render();
  }, () => { /* an engine that keeps no history: nothing to show */ });

  phone.on("hello", load);
  phone.on("call.cdr", (record) => {
    add(record);
    render();
  });
  $("#clear-history").addEventListener("click", () => {
    phone.clearHistory().then(() => {
      records.clear();
      render();
    }, () => { /* not allowed or unavailable: the list stays */ });
  });
  if (phone.status === "connected") load();
  render();
}
