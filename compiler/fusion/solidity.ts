// Compiles a Solidity contract with solc-js (standard JSON) into what fusion
// needs: the ABI, the init and runtime bytecode, the immutable references and
// the legacy assembly of the init code (to find the size fields to patch).
// A compile error comes back as one line: `file:line:col: Kind: message`.

import type { AbiLike } from "../compile.js";
import { createRequire } from "node:module";

interface Solc {
  compile(input: string, callbacks: { import: (path: string) => { contents: string } | { error: string } }): string;
  version(): string;
}

let loaded: Solc | undefined;
/** solc-js is loaded on first use: it takes seconds, and most commands never compile Solidity. */
function solc(): Solc {
  loaded ??= createRequire(import.meta.url)("solc") as Solc;
  return loaded;
}

/** One item of solc's legacy assembly JSON (`evm.legacyAssembly[".code"]`). */
export interface AssemblyItem {
  name: string;
  value?: string;
}

export interface SolidityContract {
  name: string;
  abi: AbiLike;
  /** Init code (creation bytecode) as produced by solc. */
  bytecode: Uint8Array;
  /** Runtime code, immutables still zero. */
  deployedBytecode: Uint8Array;
  /** AST id of each immutable → its byte ranges in the runtime code. */
  immutableReferences: Record<string, { start: number; length: number }[]>;
  /** The init code's assembly items, in code order. */
  initAssembly: AssemblyItem[];
  solcVersion: string;
}

export type SolidityResult = { ok: true; contract: SolidityContract } | { ok: false; message: string };

export interface SolidityInput {
  source: string;
  /** Name used in messages and as the source unit name, e.g. "Rental.sol". */
  fileName: string;
  /** Which contract of the file; required when the file defines several. */
  contractName?: string;
  /** Reads an imported file (path as written in the import, resolved by the caller); undefined = not found. */
  readImport?: (path: string) => string | undefined;
}

/**
 * Fixed compiler settings (docs/aryl.md §4): legacy code generation (fusion
 * patches its init code), the optimizer at 200 runs, solc's default EVM version
 * and metadata.
 */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  outputSelection: {
    "*": {
      "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences", "evm.deployedBytecode.object", "evm.deployedBytecode.immutableReferences", "evm.legacyAssembly"],
    },
  },
};

interface SolcError {
  severity: "error" | "warning" | "info";
  type: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

interface SolcContractOutput {
  abi: AbiLike;
  evm: {
    bytecode: { object: string; linkReferences: Record<string, unknown> };
    deployedBytecode: { object: string; immutableReferences?: Record<string, { start: number; length: number }[]> };
    legacyAssembly: { ".code"?: AssemblyItem[] } | null;
  };
}

interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, SolcContractOutput>>;
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

function formatSolcError(e: SolcError, input: SolidityInput, sources: Map<string, string>): string {
  const loc = e.sourceLocation;
  const text = loc ? sources.get(loc.file) : undefined;
  const where = loc && loc.start >= 0 ? `${loc.file === input.fileName ? input.fileName : loc.file}:${text !== undefined ? lineColumn(text, loc.start) : "?"}` : input.fileName;
  return `${where}: ${e.type}: ${e.message.split("\n")[0]}`;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function compileSolidity(input: SolidityInput): SolidityResult {
  const sources = new Map<string, string>([[input.fileName, input.source]]);
  const standardInput = { language: "Solidity", sources: { [input.fileName]: { content: input.source } }, settings: SETTINGS };
  const findImports = (path: string): { contents: string } | { error: string } => {
    const text = input.readImport?.(path);
    if (text === undefined) return { error: "file not found" };
    sources.set(path, text);
    return { contents: text };
  };
  let output: SolcOutput;
  try {
    output = JSON.parse(solc().compile(JSON.stringify(standardInput), { import: findImports })) as SolcOutput;
  } catch (e) {
    return { ok: false, message: `${input.fileName}: solc failed: ${(e as Error).message.split("\n")[0]}` };
  }
  const firstError = output.errors?.find((e) => e.severity === "error");
  if (firstError) return { ok: false, message: formatSolcError(firstError, input, sources) };

  const inFile = output.contracts?.[input.fileName] ?? {};
  const names = Object.keys(inFile);
  let name = input.contractName;
  if (name === undefined) {
    const deployable = names.filter((n) => inFile[n]!.evm.bytecode.object.length > 0);
    if (deployable.length !== 1)
      return { ok: false, message: `${input.fileName}: ${deployable.length === 0 ? "defines no deployable contract" : `defines ${deployable.length} contracts (${deployable.join(", ")}): choose one with --name`}` };
    name = deployable[0]!;
  }
  const c = inFile[name];
  if (!c) return { ok: false, message: `${input.fileName}: no contract named '${name}' (found: ${names.join(", ") || "none"})` };
  if (c.evm.bytecode.object.length === 0) return { ok: false, message: `${input.fileName}: contract ${name} is abstract or an interface: nothing to deploy` };
  if (Object.keys(c.evm.bytecode.linkReferences).length > 0)
    return { ok: false, message: `${input.fileName}: contract ${name} needs linked libraries, which fusion does not support` };
  const initAssembly = c.evm.legacyAssembly?.[".code"];
  if (!initAssembly) return { ok: false, message: `${input.fileName}: solc gave no legacy assembly for ${name}` };
  return {
    ok: true,
    contract: {
      name,
      abi: c.abi,
      bytecode: hexBytes(c.evm.bytecode.object),
      deployedBytecode: hexBytes(c.evm.deployedBytecode.object),
      immutableReferences: c.evm.deployedBytecode.immutableReferences ?? {},
      initAssembly,
      solcVersion: solc().version(),
    },
  };
}
