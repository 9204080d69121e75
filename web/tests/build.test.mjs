// The committed classic scripts are what build.mjs makes from the modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { targets, build } from "../lib/build.mjs";

for (const t of targets) {
  test(`${t.out} is up to date with ${t.entry}`, () => {
    const have = readFileSync(path.join(import.meta.dirname, "..", "lib", t.out), "utf8");
    assert.equal(have, build(t), `regenerate with: node web/lib/build.mjs`);
  });
}
