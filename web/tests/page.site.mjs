// The softphone page's files, for tests that host a copy on a customer's origin
// (as docs/integration.md describes), pointed at the engine's ports with the
// page's <meta name="wpservice-ports">.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const web = path.join(import.meta.dirname, "..");
const read = (name) => readFileSync(path.join(web, name), "utf8");

/** name -> content of every file the page loads, for serveSite(). */
export function pageFiles(ports) {
  const files = {
    "index.html": read("index.html").replace('<meta name="wpservice-ports" content="">',
      `<meta name="wpservice-ports" content="${ports.join(",")}">`),
    "app.js": read("app.js"),
    "style.css": read("style.css"),
    "lib/wpservice.js": read("lib/wpservice.js"),
    "lib/texts.js": read("lib/texts.js"),
  };
  if (!files["index.html"].includes(`content="${ports.join(",")}"`)) throw new Error("index.html lost its wpservice-ports meta tag");
  for (const f of readdirSync(path.join(web, "app"))) files[`app/${f}`] = read(`app/${f}`);
  return files;
}
