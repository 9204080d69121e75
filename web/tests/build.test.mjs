// The committed classic scripts are what build.mjs makes from the modules, and
// .gitattributes marks exactly those files as generated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { targets, build } from "../lib/build.mjs";

const lib = path.join(import.meta.dirname, "..", "lib");

for (const t of targets) {
  test(`${t.out} is up to date with ${t.entry}`, () => {
    const have = readFileSync(path.join(lib, t.out), "utf8");
    assert.equal(have, build(t), `regenerate with: node web/lib/build.mjs`);
  });
}

for (const t of targets) {
  test(`${t.out} compiles: its inlined modules declare no name twice`, () => {
    assert.doesNotThrow(() => new vm.Script(build(t), { filename: t.out }));
  });
}

test(".gitattributes marks the built files, and only those, as generated", (t) => {
  const files = readdirSync(lib).map((f) => `web/lib/${f}`);
  const root = path.join(import.meta.dirname, "..", "..");
  const r = spawnSync("git", ["check-attr", "linguist-generated", "--", ...files], { cwd: root, encoding: "utf8" });
  if (r.error || r.status !== 0) return t.skip(`not a git checkout: ${r.error?.message || r.stderr}`);
  const marked = r.stdout.split("\n").filter((l) => l.endsWith(": linguist-generated: true")).map((l) => l.split(":")[0]);
  assert.deepEqual(marked.sort(), targets.map((x) => `web/lib/${x.out}`).sort());
});
