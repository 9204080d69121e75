// webphone_accounts.js: Mizu's several accounts (registerex, extraregisteraccounts)
// on the engine's accounts beside the default (docs/protocol.md 4.3a).

/**
 * Reads Mizu's account list "server,usr,pwd,ival,proxy,realm,authuser;server2,..."
 * (accounts separated by ";", or "#" as an old Mizu comment has it) into account
 * fields of the engine. The realm is the server's to say: it is not used. An entry
 * without a server or a user is left out.
 */
export function parseExtraAccounts(text) {
  const out = [];
  for (const entry of String(text ?? "").split(/[;#]/)) {
    const [server, username, password, ival, proxy, , authuser] = entry.split(",").map((f) => f.trim());
    if (!server || !username) continue;
    const acc = { server, username, register: true };
    if (password) acc.password = password;
    const interval = Number(ival);
    if (Number.isInteger(interval) && interval > 0) acc.registerInterval = interval;
    if (proxy) acc.outboundProxy = proxy;
    if (authuser) acc.authUsername = authuser;
    out.push(acc);
  }
  return out;
}

/**
 * Makes each of accounts an account of the engine besides the default, registering:
 * one with the same server and user is updated, another added. Resolves with their
 * ids, in order.
 */
export async function applyExtraAccounts(ph, accounts) {
  const ids = [];
  for (const acc of accounts) {
    const have = (ph.state.accounts || []).find((a) => !a.default && a.server === acc.server && a.username === acc.username);
    const info = have ? await ph.updateAccount(have.id, acc) : await ph.addAccount(acc);
    ids.push(info.id);
  }
  return ids;
}

/** Whether a reg.state is of an account besides the default. */
export function isExtraAccount(state, reg) {
  if (!reg?.account) return false;
  const acc = (state.accounts || []).find((a) => a.id === reg.account);
  return !!acc && !acc.default;
}
