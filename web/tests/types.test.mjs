// The TypeScript declarations compile, and describe the library as integrators use it
// (tests/types/usage.ts, including uses that must not compile).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";

test("wpservice.d.ts type-checks a real use of the library", () => {
  const web = path.join(import.meta.dirname, "..");
  const tsc = path.join(web, "node_modules", ".bin", "tsc");
  const r = spawnSync(tsc, ["-p", path.join(web, "tests", "types", "tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.error, undefined, `tsc did not run: ${r.error}`);
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
