// The rental example (examples/rental) for the node's tests: the contract
// fused with its Aryl script and the lock app, and the node's key.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileAryl } from "../../compiler/compile.js";
import { fuseContract } from "../../compiler/fusion/fuse.js";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import { abiOf } from "../../compiler/lang/aryl-env.js";
import { compileApp } from "../helpers/backends.js";
import { ROOT } from "../helpers/cli.js";

export const NODE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const example = (file: string): string => readFileSync(join(ROOT, "examples", "rental", file), "utf8");

/** The rental contract fused with its script and the lock app. */
export function fusedRental() {
  const plain = compileSolidity({ source: example("Rental.sol"), fileName: "Rental.sol" });
  if (!plain.ok) throw new Error(plain.message);
  const lock = compileApp(example("lock.alkyl"), "smartlock");
  const meter = compileApp(example("meter.alkyl"), "meter");
  const script = compileAryl(example("rental.aryl"), "rental.aryl", {
    abi: abiOf(plain.contract.abi),
    apps: [
      { file: "lock.alkyl", image: lock.image },
      { file: "meter.alkyl", image: meter.image },
    ],
  });
  if (!script.ok) throw new Error(`rental.aryl: ${script.diagnostics[0]?.message}`);
  const fused = fuseContract({ solidity: example("Rental.sol"), fileName: "Rental.sol", images: [{ kind: "aryl", bytes: script.bytes }, { kind: "alkyl", bytes: lock.bytes }] });
  if (!fused.ok) throw new Error(fused.message);
  return fused.contract;
}
