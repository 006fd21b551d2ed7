#!/usr/bin/env node
// Rewrites the expected traces (<name>.trace) of the conformance corpus from
// the TypeScript reference backend. The only way baselines change:
//
//   node test/conformance/update.mjs [--no-build] [name...]
//   npm run conformance:update
//
// Builds dist/ first (tsc) unless --no-build. A case that does not exit 0
// with an empty stderr is not written (fix the program or the steps). Read
// every changed trace before committing it: the reference VM is checked
// against docs/language.md by reading, not by itself.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, runCase } from "./cases.mjs";

const argv = process.argv.slice(2);
const build = !argv.includes("--no-build");
const only = argv.filter((a) => !a.startsWith("--"));

if (build) execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
// The case reader is the compiler's (built into dist/, which runCase needs anyway).
const { loadCases } = await import(pathToFileURL(join(ROOT, "dist", "compiler", "run", "corpus.js")).href);

const cases = loadCases();
const unknown = only.filter((n) => !cases.some((c) => c.name === n));
if (unknown.length > 0) {
  console.error(`no such case: ${unknown.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const c of cases) {
  if (only.length > 0 && !only.includes(c.name)) continue;
  const r = runCase(c, "ts");
  if (r.status !== 0 || r.stderr !== "") {
    failed++;
    console.error(`FAIL ${c.name}: exit ${r.status}\n${r.stderr}`);
    continue;
  }
  const old = existsSync(c.trace) ? readFileSync(c.trace, "utf8") : undefined;
  const lines = r.stdout.split("\n").length - 1;
  const note = lines > 40 ? ` (${lines} lines: keep traces to about 40)` : "";
  if (old === r.stdout) {
    console.log(`same    ${c.name}${note}`);
  } else {
    writeFileSync(c.trace, r.stdout);
    console.log(`${old === undefined ? "new    " : "changed"} ${c.name}${note}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
