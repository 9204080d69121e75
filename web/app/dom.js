// dom.js: the two DOM helpers every part of the page uses.

/** The first element matching a selector. */
export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Creates an element. props: "class", "text" (textContent: never markup), "on<event>"
 * (a listener, not an attribute: the CSP forbids handler attributes), anything else
 * an attribute. children are nodes or strings.
 */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  e.append(...children);
  return e;
}

let errorTimer = null;

/** Shows an error (a failed command, usually) in the page's alert line for a while. */
export function showError(text, ms = 8000) {
  const box = $("#error");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { box.hidden = true; }, ms);
}

/** Wraps a command's promise so a refusal by the engine is shown, not lost. */
export const reportTo = (what) => (err) => showError(`${what}: ${err?.message || err}`);

/**
 * Calls render at the first hello and whenever one of the events arrives. (Not on
 * the library's "state" event: that one also fires for every audio.level, ten
 * times a second, and redrawing buttons that often would eat the user's clicks.)
 */
export function renderOn(phone, events, render) {
  for (const name of ["hello", ...events]) phone.on(name, () => render());
}
