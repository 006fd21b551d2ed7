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
// A reader that went away (`alkyvm ... | head`) ends the command quietly, as in any Unix tool.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
