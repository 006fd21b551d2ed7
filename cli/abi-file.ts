// Reading a contract ABI file (`--abi`): solc's JSON ABI, or a Hardhat or
// Foundry artifact holding one; a mistake names its JSON path
// (`abi.json: $[0].inputs[1].type: ...`).

import type { AbiLike } from "../compiler/compile.js";
import { MAX_JSON_BYTES } from "../compiler/input-text.js";
import { CliError, readJsonInput } from "./files.js";

const ABI_TYPES = ["function", "constructor", "receive", "fallback", "event", "error"];
const ABI_PARAM_TYPE = /^(tuple|[a-z]+[0-9]*(x[0-9]+)?)(\[[0-9]*\])*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What is wrong with a list of ABI parameters, with its JSON path; undefined when nothing is. */
function abiParamsProblem(params: unknown, at: string): string | undefined {
  if (!Array.isArray(params)) return `${at}: must be a list of parameters`;
  for (let i = 0; i < params.length; i++) {
    const p: unknown = params[i];
    const here = `${at}[${i}]`;
    if (!isObject(p)) return `${here}: must be an object`;
    if (typeof p["type"] !== "string") return `${here}.type: ${p["type"] === undefined ? "missing" : "must be a string"}`;
    if (!ABI_PARAM_TYPE.test(p["type"])) return `${here}.type: '${p["type"]}' is not a Solidity ABI type`;
    if (p["name"] !== undefined && typeof p["name"] !== "string") return `${here}.name: must be a string`;
    if (p["indexed"] !== undefined && typeof p["indexed"] !== "boolean") return `${here}.indexed: must be true or false`;
    if (p["type"].startsWith("tuple")) {
      const inner = abiParamsProblem(p["components"], `${here}.components`);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** What is wrong with a contract ABI (solc's JSON format), with its JSON path; undefined when nothing is. */
function abiProblem(abi: unknown, at: string): string | undefined {
  if (!Array.isArray(abi)) return `${at}: must be a list of ABI entries`;
  for (let i = 0; i < abi.length; i++) {
    const e: unknown = abi[i];
    const here = `${at}[${i}]`;
    if (!isObject(e)) return `${here}: must be an object`;
    if (typeof e["type"] !== "string" || !ABI_TYPES.includes(e["type"])) return `${here}.type: must be one of ${ABI_TYPES.join(", ")}`;
    const named = e["type"] === "function" || e["type"] === "event" || e["type"] === "error";
    if (named && typeof e["name"] !== "string") return `${here}.name: ${e["name"] === undefined ? "missing" : "must be a string"}`;
    if (named || e["type"] === "constructor") {
      const inputs = abiParamsProblem(e["inputs"], `${here}.inputs`);
      if (inputs) return e["inputs"] === undefined ? `${here}.inputs: missing` : inputs;
    }
    if (e["outputs"] !== undefined) {
      const outputs = abiParamsProblem(e["outputs"], `${here}.outputs`);
      if (outputs) return outputs;
    }
  }
  return undefined;
}

/** A contract ABI file: solc's ABI array, or an artifact with an `abi` field (Hardhat, Foundry); a mistake names its JSON path. */
export function readAbiFile(path: string): AbiLike {
  const json = readJsonInput(path, MAX_JSON_BYTES);
  const [abi, at] = Array.isArray(json) ? [json, "$"] : isObject(json) && json["abi"] !== undefined ? [json["abi"], "$.abi"] : [undefined, "$"];
  if (abi === undefined) throw new CliError(`${path}: not a contract ABI (a JSON list of entries, or an artifact with an "abi" list)`);
  const problem = abiProblem(abi, at);
  if (problem) throw new CliError(`${path}: ${problem}`);
  return abi as AbiLike;
}
