// webphone_presence.js: what Mizu's presence and busy-lamp functions become in the
// engine. checkpresence and checkblf put the users on the engine's contact list
// with their presence or blf flag on (the engine watches exactly those);
// setpresencestatus sets the status the engine publishes; the engine's
// presence.state and blf.state events become onPresenceStateChange,
// onBLFStateChange and the PRESENCE and BLF notifications.

/** setpresencestatus's values (case-sensitive, as Mizu's) -> the engine's presenceStatus. */
export const PRESENCE_STATUSES = Object.freeze({ Online: "online", Away: "away", DND: "dnd", Invisible: "invisible", Offline: "offline" });

/** The most users one checkpresence or checkblf call takes. */
const MAX_USERS = 200;

/** A comma-separated user list -> its users, trimmed, without empties or repeats. */
export function usersOf(userlist) {
  const users = String(userlist ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  return [...new Set(users)].slice(0, MAX_USERS);
}

/**
 * Puts each user on the engine's contact list with flag ("presence" or "blf") on:
 * a contact of the default account with that number gets the flag, a user not on
 * its list becomes a contact named after the number. (Mizu's API knows one
 * account: another account's contact with the number is another person.)
 */
export async function watchUsers(phone, users, flag) {
  const { contacts = [] } = await phone.send("contacts.list");
  const defaultAccount = phone.state?.accounts?.find((a) => a.default)?.id;
  const mine = contacts.filter((x) => !x.account || x.account === defaultAccount);
  for (const user of users) {
    const c = mine.find((x) => x.number === user || x.name === user);
    if (c?.[flag]) continue;
    await phone.send("contacts.set", c ? { id: c.id, [flag]: true } : { name: user, number: user, [flag]: true });
  }
}

/**
 * Whether Mizu's callbacks hear of st (a presence.state, blf.state or mwi.state):
 * its API knows one account, so only the default account's contacts and box; a
 * state with an account is another account's.
 */
export const mizuSees = (st) => !st?.account;

/** A field of a notification: no commas, no line ends. */
const field = (v) => String(v ?? "").replace(/[,\r\n]/g, " ");

/** presence.state -> onPresenceStateChange's arguments (peername, presence, displayname, email). */
export function presenceArgs(st) {
  return [st.number, st.state, "", ""];
}

/** presence.state -> the PRESENCE notification: state and details are the same Mizu state. */
export function presenceNotification(st) {
  return `PRESENCE,${field(st.number)},${field(st.state)},${field(st.state)},,`;
}

/**
 * blf.state -> onBLFStateChange's arguments (peername, direction, state, callid):
 * direction "initiator", "receiver" (the engine's recipient) or "undefined"; state
 * the dialog's (RFC 4235) while one is up, "terminated" when idle, "failed" when
 * the subscription failed.
 */
export function blfArgs(st) {
  const direction = st.direction === "recipient" ? "receiver" : st.direction === "initiator" ? "initiator" : "undefined";
  let state = st.state || "unknown";
  if (st.lamp === "idle") state = "terminated";
  if (st.lamp === "unknown") state = "failed";
  return [st.number, st.lamp === "idle" ? "undefined" : direction, state, st.callId || ""];
}

/** blf.state -> the BLF notification. */
export function blfNotification(st) {
  return `BLF,${blfArgs(st).map(field).join(",")}`;
}
