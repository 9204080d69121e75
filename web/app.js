// The softphone page. Everything goes through the client library, exactly as any
// approved site's page would; the parts of the page live in app/.
import { connect } from "./lib/wpservice.js";
import { $ } from "./app/dom.js";
import { mountBanner } from "./app/banner.js";
import { mountAccount } from "./app/account.js";
import { mountAccounts } from "./app/accounts.js";
import { mountDialer } from "./app/dialer.js";
import { mountLines } from "./app/lines.js";
import { mountReferrals } from "./app/referrals.js";
import { mountConference } from "./app/conference.js";
import { mountIncoming } from "./app/incoming.js";
import { mountDnd } from "./app/dnd.js";
import { mountHistory } from "./app/history.js";
import { mountChat } from "./app/chat.js";
import { mountChatSettings } from "./app/chatsettings.js";
import { mountDevices } from "./app/devices.js";
import { mountTones } from "./app/tones.js";
import { mountAudioSettings } from "./app/audiosettings.js";
import { mountPairing } from "./app/pairing.js";
import { mountVoicemail } from "./app/voicemail.js";
import { mountContacts } from "./app/contacts.js";

/**
 * Where to look for the engine. Served by the engine itself, the page tries its own
 * port first. A copy hosted elsewhere uses the library's defaults, or the ports in
 * <meta name="wpservice-ports" content="18620,18621"> when the engine listens
 * elsewhere.
 */
function engineOptions() {
  const configured = ($('meta[name="wpservice-ports"]')?.content || "")
    .split(",").map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (configured.length) return { ports: configured, secure: false };
  if (!["127.0.0.1", "localhost", "[::1]"].includes(location.hostname)) return {};
  const own = Number(location.port) || (location.protocol === "https:" ? 443 : 80);
  return location.protocol === "https:"
    ? { secure: true, tlsPorts: [own, 18630, 18631, 18632, 18633] }
    : { secure: false, ports: [own, 18620, 18621, 18622, 18623] };
}

const phone = connect({ ...engineOptions(), subscribe: { levels: true, statsInterval: 2 } });
const ctx = { $ };

mountBanner(phone, ctx);
mountAccount(phone, ctx);
mountAccounts(phone, ctx);
const dialer = mountDialer(phone, ctx);
mountLines(phone, ctx);
mountReferrals(phone, ctx);
mountConference(phone, ctx);
mountIncoming(phone, ctx);
mountDnd(phone, ctx);
mountHistory(phone, { ...ctx, redial: dialer.call });
mountChat(phone, ctx);
mountChatSettings(phone, ctx);
mountDevices(phone, ctx);
mountTones(phone, ctx);
mountAudioSettings(phone, ctx);
mountPairing(phone, ctx);
mountVoicemail(phone, { ...ctx, call: dialer.call });
mountContacts(phone, { ...ctx, call: dialer.call });
