// Fuzzes the C VM's image loader, verifier and interpreter with libFuzzer
// (ASan + UBSan) for a while, seeded with the conformance corpus; prints the
// figures and exits 1 on a finding (docs/security.md, "Fuzzing").
//
//   node dist/scripts/fuzz.js [--seconds N] [--quiet]     (npm run fuzz -- --seconds N)

import { FuzzSetupError } from "./fuzz/build.js";
import { runLibFuzzer } from "./fuzz/libfuzzer.js";

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let seconds = 60;
let quiet = false;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === "--seconds") {
    const v = argv[++i];
    if (v === undefined || !/^[1-9][0-9]*$/.test(v)) fail(`--seconds needs a positive whole number of seconds, got '${v ?? ""}'`);
    seconds = Number(v);
  } else if (a === "--quiet") quiet = true;
  else fail(`unknown option '${a}' (usage: fuzz [--seconds N] [--quiet])`);
}

try {
  const r = await runLibFuzzer({ seconds, ...(quiet ? {} : { onLine: (l: string) => process.stderr.write(`${l}\n`) }) });
  process.stdout.write(
    `fuzz: ${r.executions} executions in ${r.seconds.toFixed(0)} s (${r.execPerSecond} exec/s), cov ${r.cov}, ft ${r.ft}, corpus ${r.corpusUnits} inputs / ${r.corpusBytes} bytes, ${r.seeds} seed/corpus files at start\n`,
  );
  if (r.finding) {
    process.stdout.write(`fuzz: FINDING: ${r.finding.kind}\nfuzz: input: ${r.finding.input ?? "(not written)"}\n`);
    process.exit(1);
  }
  process.stdout.write("fuzz: no findings\n");
} catch (e) {
  if (e instanceof FuzzSetupError) fail(e.message);
  throw e;
}
