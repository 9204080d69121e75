// history.js: the calls this browser saw end, newest first, kept in localStorage;
// a click on one calls it again.
import { historyDetail, historyEntry, historyIcon } from "./format.js";
import { el } from "./dom.js";

const KEY = "wpservice.page.history";
const MAX = 100;

function read(storage) {
  try {
    const list = JSON.parse(storage?.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return []; // unreadable (blocked storage, or not ours): start again
  }
}

export function mountHistory(phone, { $, redial, storage = globalThis.localStorage }) {
  const render = () => {
    const list = read(storage);
    $("#no-history").hidden = list.length > 0;
    $("#clear-history").hidden = list.length === 0;
    $("#history").replaceChildren(...list.map((e) => el("li", { "data-direction": e.direction, "data-cause": e.cause },
      el("button", { type: "button", class: "redial", "aria-label": `Call ${e.peer} again`, onclick: () => redial(e.uri || e.peer) },
        el("span", { class: "dir", "aria-hidden": "true", text: historyIcon(e) }), ` ${e.name || e.peer}`),
      el("span", { class: "muted", text: ` ${new Date(e.at).toLocaleString()} · ${historyDetail(e)}` }))));
  };

  phone.on("call.state", (c) => {
    if (c.state !== "ended") return;
    const list = read(storage);
    list.unshift(historyEntry(c));
    try {
      storage?.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
    } catch { /* storage full or blocked: the history is not kept */ }
    render();
  });
  $("#clear-history").addEventListener("click", () => {
    try {
      storage?.removeItem(KEY);
    } catch { /* blocked */ }
    render();
  });
  render();
}
