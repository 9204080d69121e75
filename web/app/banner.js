// banner.js: the connection banner, one message per phone.status, each saying what
// to do. The banner's data-state is the status it shows (tests and stylesheets key
// on it).

/** Statuses that explain a problem: a retry's brief "connecting" does not hide them. */
const PROBLEMS = new Set(["not-running", "permission-denied", "iframe-blocked", "not-approved", "disconnected"]);

/**
 * The status the banner shows when the phone reports status after showing shown:
 * the library passes through "connecting" on every retry, which would make the
 * explanation flicker away.
 */
export function shownStatus(shown, status) {
  return status === "connecting" && PROBLEMS.has(shown) ? shown : status;
}

/**
 * The banner's text and its button (null: none) for a status. origin is the page's
 * origin as the engine sees it; enginePage is the URL of the engine's own page.
 */
export function bannerContent(status, { origin, enginePage }) {
  switch (status) {
    case "connecting":
      return { text: "Connecting to the phone engine…", action: null };
    case "not-running":
      return {
        text: "The wpservice engine is not running on this computer. Start it (wpservice start, or the wpservice " +
          "service in your system's services), or install it; this page connects as soon as it runs.",
        action: "Retry",
      };
    case "permission-needed":
      return {
        text: "Your browser asks before a web page may talk to the phone engine on this computer. Click Connect, " +
          "then allow the browser's request.",
        action: "Connect",
      };
    case "permission-denied":
      return {
        text: "Your browser blocks this page from reaching the phone engine. Allow “local network access” for " +
          `${origin} in the browser's site settings, then retry.`,
        action: "Retry",
      };
    case "iframe-blocked":
      return {
        text: "This page is inside a frame that may not reach the phone engine: the page that embeds it must add " +
          "allow=\"loopback-network\" to its iframe.",
        action: null,
      };
    case "pairing":
      return {
        text: `Waiting for approval: allow ${origin} on the wpservice page (${enginePage}) or with ` +
          `wpservice pair approve ${origin}`,
        action: null,
      };
    case "not-approved":
      return {
        text: `The phone engine does not accept this site (${origin}). Ask your administrator to add it, or ` +
          "approve it on the wpservice page.",
        action: "Retry",
      };
    case "disconnected":
      return { text: "Connection to the phone engine lost; reconnecting…", action: "Retry now" };
    case "closed":
      return { text: "Disconnected from the phone engine.", action: null };
    case "connected":
      return { text: "", action: null };
    default:
      return { text: status, action: null };
  }
}

/** Keeps the #banner element in step with phone.status. */
export function mountBanner(phone, { $ }) {
  const banner = $("#banner");
  const text = $("#banner-text");
  const action = $("#banner-action");
  let shown = "";

  const render = () => {
    shown = shownStatus(shown, phone.status);
    const origin = phone.pairing?.origin || phone.origin || location.origin;
    const enginePage = `http://127.0.0.1:${phone.port || 18620}/`;
    const content = bannerContent(shown, { origin, enginePage });
    banner.dataset.state = shown;
    banner.hidden = shown === "connected";
    text.textContent = content.text;
    action.hidden = !content.action;
    action.textContent = content.action || "";
  };
  // The click is the user gesture Chrome's Local Network Access prompt needs.
  action.addEventListener("click", () => phone.connectNow());
  phone.on("status", render);
  render();
}
