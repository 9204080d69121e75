// incoming.js: an incoming call gets attention: the page's title flashes, and a
// Web Notification appears when the page is hidden and the user allowed them. The
// permission is asked on a click of #notify, never on load.
import { callStatus, isRinging, peerLabel } from "./format.js";
import { renderOn } from "./dom.js";

export function mountIncoming(phone, { $ }) {
  const baseTitle = document.title;
  let timer = null;
  let ringingId = null;

  const start = (call) => {
    const who = peerLabel(call);
    const what = callStatus(call);
    ringingId = call.callId;
    clearInterval(timer);
    timer = setInterval(() => {
      document.title = document.title === baseTitle ? `☎ ${what} from ${call.peerName || call.peerUser || who}` : baseTitle;
    }, 800);
    if (typeof Notification !== "undefined" && Notification.permission === "granted" && document.hidden) {
      const n = new Notification(what, { body: who, tag: `wpservice-${call.callId}`, requireInteraction: true });
      n.addEventListener("click", () => {
        window.focus();
        n.close();
      });
    }
  };

  const stop = () => {
    clearInterval(timer);
    timer = null;
    ringingId = null;
    document.title = baseTitle;
  };

  renderOn(phone, ["call.state"], () => {
    const call = phone.state.lines.find((c) => isRinging(c) && !c.ignored);
    if (call && call.callId !== ringingId) start(call);
    else if (!call && ringingId) stop();
  });

  const ask = $("#notify");
  if (typeof Notification !== "undefined" && Notification.permission === "default") {
    ask.hidden = false;
    ask.addEventListener("click", async () => {
      await Notification.requestPermission();
      ask.hidden = Notification.permission === "default";
    });
  }
}
