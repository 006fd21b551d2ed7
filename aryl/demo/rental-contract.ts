// The demo's contract: examples/rental/Rental.sol fused with its Aryl script
// (rental.aryl) and the two device apps (lock.alkyl for the smartlock profile,
// meter.alkyl for the meter profile), built in memory as `alkyvm fuse` builds
// it (docs/aryl.md §4).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileAlkyl, compileAryl, formatDiagnostic } from "../../compiler/compile.js";
import { fuseCompiled, type FusedContract } from "../../compiler/fusion/fuse.js";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import { profileByName } from "../../compiler/profiles/profiles.js";

/** Where the rental example lives: examples/rental/ at the repository root (this file is aryl/demo/ or dist/aryl/demo/). */
export function rentalExampleDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "examples", "rental");
    try {
      readFileSync(join(candidate, "Rental.sol"));
      return candidate;
    } catch {
      dir = join(dir, "..");
    }
  }
  throw new Error("examples/rental/Rental.sol not found next to the alkyvm installation");
}

function firstError(file: string, source: string, diagnostics: Parameters<typeof formatDiagnostic>[0][]): Error {
  return new Error(`${file}: ${formatDiagnostic(diagnostics[0]!, source).split("\n")[0]}`);
}

/** Compiles and fuses the rental example; throws one-line errors. */
export function buildRentalContract(dir = rentalExampleDir()): FusedContract {
  const read = (name: string): string => readFileSync(join(dir, name), "utf8");
  const solidity = compileSolidity({ source: read("Rental.sol"), fileName: "Rental.sol", contractName: "Rental" });
  if (!solidity.ok) throw new Error(solidity.message);
  const apps = [
    { file: "lock.alkyl", profile: "smartlock" },
    { file: "meter.alkyl", profile: "meter" },
  ].map(({ file, profile }) => {
    const source = read(file);
    const compiled = compileAlkyl(source, file, { profile: profileByName(profile)! });
    if (!compiled.ok) throw firstError(file, source, compiled.diagnostics);
    return { file, image: compiled.image, bytes: compiled.bytes };
  });
  const scriptSource = read("rental.aryl");
  const script = compileAryl(scriptSource, "rental.aryl", { abi: solidity.contract.abi, apps: apps.map((a) => ({ file: a.file, image: a.image })) });
  if (!script.ok) throw firstError("rental.aryl", scriptSource, script.diagnostics);
  const fused = fuseCompiled(solidity.contract, [
    { kind: "aryl", bytes: script.bytes, label: "rental.aryl" },
    ...apps.map((a) => ({ kind: "alkyl" as const, bytes: a.bytes, label: a.file })),
  ]);
  if (!fused.ok) throw new Error(`fusing Rental.sol: ${fused.message}`);
  return fused.contract;
}
