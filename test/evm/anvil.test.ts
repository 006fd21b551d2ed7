// 256-bit semantics checked against a real EVM (Anvil): every case is computed
// by raw EVM bytecode run with eth_call as init code, by arith.ts at width 256,
// and by the reference VM (MODE256 code), and all three must agree.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Op, OPCODE_BY_BYTE } from "../../compiler/ir/opcodes.js";
import * as arith from "../../compiler/vm/arith.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";
import { startAnvil, type Anvil } from "../../scripts/anvil.js";
import { buildImage } from "../vm/build.js";
import { edgeValues, prng, randomValue } from "../vm/model.js";

const RANDOM_CASES = 300;
/** Keep init code under EIP-3860's 49,152 bytes and the returned data modest. */
const MAX_BATCH_CODE = 40_000;
const MAX_BATCH_CASES = 500;

const EVM_PUSH0 = 0x5f;
const EVM_PUSH1 = 0x60;
const EVM_MSTORE = 0x52;
const EVM_RETURN = 0xf3;

const TWO_256 = 1n << 256n;
const EDGES: bigint[] = [
  ...new Set([
    ...edgeValues(256),
    31n, 32n, 33n,
    1n << 64n, (1n << 64n) - 1n,
    1n << 128n,
    (1n << 255n) - 1n, 1n << 255n,
    TWO_256 - 1n, TWO_256 - 2n,
    TWO_256 - 255n, // -255
  ]),
];
/** ADDMOD/MULMOD enumerate all triples, so they use fewer values. */
const TERNARY_EDGES: bigint[] = [0n, 1n, 2n, 3n, 255n, 1n << 128n, (1n << 255n) - 1n, 1n << 255n, TWO_256 - 2n, TWO_256 - 1n, 0x5555n];

type Case = bigint[]; // operands, top of stack first

const name = (op: number): string => OPCODE_BY_BYTE[op]!.name;

function arity(op: number): number {
  if (arith.TERNARY_OPCODES.includes(op)) return 3;
  if (arith.UNARY_OPCODES.includes(op)) return 1;
  return 2;
}

function casesFor(op: number): Case[] {
  const n = arity(op);
  const cases: Case[] = [];
  if (n === 1) for (const a of EDGES) cases.push([a]);
  if (n === 2) for (const a of EDGES) for (const b of EDGES) cases.push([a, b]);
  if (n === 3) for (const a of TERNARY_EDGES) for (const b of TERNARY_EDGES) for (const m of TERNARY_EDGES) cases.push([a, b, m]);
  const next = prng(0xe0 + op);
  for (let i = 0; i < RANDOM_CASES; i++) cases.push(Array.from({ length: n }, () => randomValue(next, 256)));
  return cases;
}

/** The shortest EVM push of a value (PUSH0 for zero). */
function evmPush(out: number[], v: bigint): void {
  if (v === 0n) {
    out.push(EVM_PUSH0);
    return;
  }
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  out.push(EVM_PUSH1 + bytes.length - 1, ...bytes);
}

/** EVM code computing one case and storing its result in memory word `slot`. */
function caseCode(op: number, operands: Case, slot: number): number[] {
  const out: number[] = [];
  for (let k = operands.length - 1; k >= 0; k--) evmPush(out, operands[k]!);
  out.push(op);
  evmPush(out, BigInt(32 * slot));
  out.push(EVM_MSTORE);
  return out;
}

/**
 * Init code computing each case and returning the results as 32-byte words.
 * The returned data starts with a zero word: a create refuses returned code
 * that starts with 0xEF (EIP-3541), and a result may.
 */
function initCode(op: number, cases: Case[]): number[] {
  const out = cases.flatMap((operands, i) => caseCode(op, operands, i + 1));
  evmPush(out, BigInt(32 * (cases.length + 1)));
  evmPush(out, 0n);
  out.push(EVM_RETURN);
  return out;
}

async function rpc(anvil: Anvil, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(anvil.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Runs the cases on the EVM in as few eth_calls as the size limits allow. */
async function evmResults(anvil: Anvil, op: number, cases: Case[]): Promise<bigint[]> {
  const results: bigint[] = [];
  let start = 0;
  while (start < cases.length) {
    let end = start;
    let size = 0;
    while (end < cases.length && end - start < MAX_BATCH_CASES) {
      size += caseCode(op, cases[end]!, end - start + 1).length;
      if (size > MAX_BATCH_CODE) break;
      end++;
    }
    const batch = cases.slice(start, end);
    const code = initCode(op, batch);
    const data = "0x" + Buffer.from(code).toString("hex");
    const hex = (await rpc(anvil, "eth_call", [{ data, gas: "0x1c9c380" }, "latest"])) as string;
    const words = hex.slice(2);
    if (words.length !== 64 * (batch.length + 1)) throw new Error(`eth_call returned ${words.length / 2} bytes for ${batch.length} results`);
    for (let i = 0; i < batch.length; i++) results.push(BigInt("0x" + words.slice(64 * (i + 1), 64 * (i + 2))));
    start = end;
  }
  return results;
}

function arithResult(op: number, [a, b, n]: Case): bigint {
  switch (arity(op)) {
    case 1:
      return BigInt(arith.unary(op, 4, a!));
    case 3:
      return BigInt(arith.ternary(op, 4, a!, b!, n!));
    default:
      return BigInt(arith.COMPARE_OPCODES.includes(op) ? arith.compare(op, 4, a!, b!) : arith.binary(op, 4, a!, b!));
  }
}

/** A one-function image computing `op` on its uint256 parameters (a first) in MODE256. */
function vmFor(op: number): ReferenceVm {
  const n = arity(op);
  const gets = Array.from({ length: n }, (_, k) => `LGET ${32 * (n - 1 - k)}`).join(" ");
  const isBool = arith.COMPARE_OPCODES.includes(op) || op === Op.ISZERO;
  const image = buildImage({
    functions: [{ params: Array<string>(n).fill("uint256"), result: isBool ? "bool" : "uint256", code: `MODE256 ${gets} ${name(op)} RETF` }],
  });
  return new ReferenceVm(image);
}

function vmResult(vm: ReferenceVm, operands: Case): bigint | string {
  const effects = vm.invoke(0, operands);
  const last = effects[effects.length - 1];
  return last?.kind === "return" ? BigInt(last.value) : JSON.stringify(effects, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

const hex = (v: bigint): string => "0x" + v.toString(16);

let anvil: Anvil | undefined;

beforeAll(async () => {
  const started = await startAnvil({ lifetimeMs: 5 * 60_000, args: ["--disable-code-size-limit"] });
  if (!started.ok) throw new Error(started.message);
  anvil = started.anvil;
});

afterAll(async () => {
  await anvil?.stop();
});

const OPS = [
  Op.ADD, Op.MUL, Op.SUB, Op.DIV, Op.SDIV, Op.MOD, Op.SMOD, Op.ADDMOD, Op.MULMOD, Op.EXP, Op.SIGNEXTEND,
  Op.LT, Op.GT, Op.SLT, Op.SGT, Op.EQ, Op.ISZERO, Op.AND, Op.OR, Op.XOR, Op.NOT, Op.BYTE, Op.SHL, Op.SHR, Op.SAR,
];

describe("256-bit arithmetic agrees with the EVM", () => {
  it("the EVM harness itself works: ADD(2, 3) = 5 and SUB takes the top as minuend", async () => {
    expect(await evmResults(anvil!, Op.ADD, [[2n, 3n]])).toEqual([5n]);
    expect(await evmResults(anvil!, Op.SUB, [[10n, 3n]])).toEqual([7n]);
  });

  for (const op of OPS) {
    it(`${name(op)}: arith.ts and the reference VM match Anvil`, async () => {
      const cases = casesFor(op);
      const expected = await evmResults(anvil!, op, cases);
      const vm = vmFor(op);
      const mismatches: string[] = [];
      cases.forEach((operands, i) => {
        if (mismatches.length >= 5) return;
        const label = `${name(op)}(${operands.map(hex).join(", ")})`;
        const fromArith = arithResult(op, operands);
        if (fromArith !== expected[i]) mismatches.push(`${label}: EVM ${hex(expected[i]!)}, arith ${hex(fromArith)}`);
        const fromVm = vmResult(vm, operands);
        if (fromVm !== expected[i]) mismatches.push(`${label}: EVM ${hex(expected[i]!)}, reference VM ${typeof fromVm === "bigint" ? hex(fromVm) : fromVm}`);
      });
      expect(mismatches).toEqual([]);
    });
  }
});
