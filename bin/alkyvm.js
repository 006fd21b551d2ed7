#!/usr/bin/env node
// Entry point of the `alkyvm` command; the TypeScript is built into dist/ by `npm run build`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "cli", "main.js");
if (!existsSync(entry)) {
  process.stderr.write("alkyvm: not built yet; run `npm run build` (or scripts/setup.sh) in " + root + "\n");
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
