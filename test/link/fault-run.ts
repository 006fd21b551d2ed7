// A run of commands through the fault-injection proxy (compiler/link/fault-proxy.ts)
// against a link device, and what it shows about exactly-once execution
// (docs/link.md §4.6, docs/security.md "Link fault injection"). The app keeps
// a counter in VM memory that every Count and Priced call increments and
// returns, so a command run twice shows as a skipped value.

import { assemble } from "../../compiler/ir/asm.js";
import { decodeImage, type Image } from "../../compiler/ir/image.js";
import { encodeArgs } from "../../compiler/link/args.js";
import { LinkClient, LinkError, type Answer } from "../../compiler/link/client.js";
import { seededRandom } from "../../compiler/seeded-random.js";
import { FaultProxy, type LinkFaultCounts, type LinkFaultRates } from "../../compiler/link/fault-proxy.js";
import { FrameReader } from "../../compiler/link/frame.js";
import type { ByteTransport } from "../../compiler/engines/transport.js";
import { parseTypeName } from "../../compiler/ir/types.js";

export const COUNTER_APP = `
.profile test
.memory 64
.import syscall Print(string)
.import syscall Out8(uint8)
.import nodecall Price(uint32) -> uint32

; count += 1; Out8(count); return count
.func public Count() -> uint8
    MODE8
    PUSH 0
    ZEXT 16
    MLOAD
    PUSH 1
    ADD
    DUP1
    PUSH 0
    ZEXT 16
    MSTORE
    DUP1
    SYSCALL Out8
    RETF

.func public Get() -> uint8
    MODE8
    PUSH 0
    ZEXT 16
    MLOAD
    RETF

.func public Add(uint32, uint32) -> uint32
    MODE32
    LGET 0
    LGET 4
    ADD
    RETF

.func public Echo(string)
.buffer 8, 56
    MODE16
    LGET 0
    SYSCALL Print
    RETF

; count += 1; return Price(count) + count
.func public Priced() -> uint32
    MODE8
    PUSH 0
    ZEXT 16
    MLOAD
    PUSH 1
    ADD
    DUP1
    PUSH 0
    ZEXT 16
    MSTORE
    ZEXT 32
    MODE32
    DUP1
    NCALL Price
    ADD
    RETF
`;
const FN = { Count: 0, Get: 1, Add: 2, Echo: 3, Priced: 4 } as const;
const IMPORT = { Print: 0, Out8: 1 } as const;
const FUEL = 10_000;

export const counterApp = (): { bytes: Uint8Array; image: Image } => {
  const r = assemble(COUNTER_APP);
  if (!r.ok) throw new Error(`assembly failed: ${JSON.stringify(r.errors)}`);
  const d = decodeImage(r.bytes);
  if (!d.ok) throw new Error("the counter app does not decode");
  return { bytes: r.bytes, image: d.value.image };
};

export interface FaultRunOptions {
  rates: LinkFaultRates;
  seed: number;
  commands: number;
  retryMs: number;
  timeoutMs: number;
  maxDelayMs?: number;
  /** Seal the link with this device key (the device must be built with it, docs/link.md §2.1). */
  key?: Uint8Array;
  /** Longest Echo string (the host device takes 55 in one frame; longer ones need ARGS frames on the Uno). */
  maxEcho?: number;
}

export interface FaultRunResult {
  seed: number;
  rates: LinkFaultRates;
  /** Commands that gave the expected answer. */
  ok: number;
  /** Commands that ran but whose SYSCALL reports did not all arrive (or arrived twice): reported, not trusted. */
  incomplete: number;
  /** Commands reported failed (no answer after the retries, or a node call trapped). */
  failed: number;
  /** Commands the device refused (ERROR): reported failed, and not run. */
  refused: number;
  /** Answers that were wrong: a corrupted frame acted on. Must be empty. */
  wrong: string[];
  /** Count/Priced values, in order, of the commands that came back; and how many such commands failed. */
  counterValues: number[];
  counterFailed: number;
  /** Whether the load (LOAD_BEGIN/CHUNK/COMMIT under faults) went through. */
  loaded: boolean;
  /** Node calls asked per Priced call that came back (must be 1 each). */
  nodeCallsPerPriced: number[];
  resent: number;
  faults: { toDevice: LinkFaultCounts; toNode: LinkFaultCounts };
  /** After the run, over the plain link: HELLO's answer and the counter. */
  finalCounter: number;
  droppedFrames: number;
}

const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);
const le = (v: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);
const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Runs `commands` random commands through the proxy, then checks the device over the plain link. */
export async function faultRun(device: ByteTransport, options: FaultRunOptions): Promise<FaultRunResult> {
  const app = counterApp();
  if (process.env.ALKY_FAULT_DEBUG) device = traced(device);
  const proxy = new FaultProxy(device, { rates: options.rates, seed: options.seed, ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }) });
  const random = seededRandom(options.seed ^ 0x5eed);
  const asked: number[] = [];
  const client = new LinkClient(proxy.node, {
    timeoutMs: options.timeoutMs,
    retryMs: options.retryMs,
    image: app.image,
    ...(options.key ? { key: options.key } : {}),
    ...(process.env.ALKY_FAULT_DEBUG ? { onDropped: (why: string) => console.log(`  dropped: ${why}`) } : {}),
    onNodeCall: async (call) => {
      asked.push(Number(call.args[0]));
      return BigInt(Number(call.args[0]) * 10);
    },
  });
  const result: FaultRunResult = {
    seed: options.seed,
    rates: options.rates,
    ok: 0,
    incomplete: 0,
    failed: 0,
    refused: 0,
    wrong: [],
    counterValues: [],
    counterFailed: 0,
    loaded: false,
    nodeCallsPerPriced: [],
    resent: 0,
    faults: proxy.counts(),
    finalCounter: -1,
    droppedFrames: -1,
  };
  // Session start and load under faults; a failure here is retried (a load restarts with LOAD_BEGIN).
  for (let attempt = 0; attempt < 5 && !result.loaded; attempt++) {
    try {
      await client.hello();
      await client.load(app.bytes);
      result.loaded = true;
    } catch (e) {
      if (!(e instanceof LinkError)) throw e;
    }
  }
  const maxEcho = options.maxEcho ?? 40;
  for (let i = 0; i < options.commands && result.loaded; i++) {
    const pick = Math.floor(random() * 4);
    const fn = [FN.Count, FN.Add, FN.Echo, FN.Priced][pick]!;
    const a = Math.floor(random() * 2 ** 32);
    const b = Math.floor(random() * 2 ** 32);
    const text = "x".repeat(Math.floor(random() * maxEcho)) + String(i);
    const args = fn === FN.Add ? encodeArgs([parseTypeName("uint32")!, parseTypeName("uint32")!], [BigInt(a), BigInt(b)]) : fn === FN.Echo ? encodeArgs([parseTypeName("string")!], [bytesOf(text)]) : new Uint8Array(0);
    const before = asked.length;
    let answer: Answer;
    try {
      answer = await client.invoke("CALL", fn, FUEL, args);
    } catch (e) {
      if (!(e instanceof LinkError) || e.code !== "link") throw e;
      if (process.env.ALKY_FAULT_DEBUG) console.log(`  command ${i} failed: ${e.message}`);
      result.failed++;
      if (fn === FN.Count || fn === FN.Priced) result.counterFailed++;
      continue;
    }
    const t = answer.terminal;
    if (t.name === "ERROR") {
      // Refused, nothing ran (busy: the device still waited for a node call of a command given up on).
      if (process.env.ALKY_FAULT_DEBUG) console.log(`  command ${i} refused: ${JSON.stringify(t.fields)}`);
      result.refused++;
      continue;
    }
    const value = t.name === "RESULT" ? t.fields.value : undefined;
    const num = value ? value.reduce((acc, x, k) => acc + x * 2 ** (8 * k), 0) : -1;
    if (fn === FN.Count || fn === FN.Priced) {
      // A Priced call that came back asked the node once; one the device trapped (its node call's answer
      // did not reach it in time, or its NODE_CALL never reached the node) may have asked once or not at all.
      if (fn === FN.Priced && t.name === "RESULT") result.nodeCallsPerPriced.push(asked.length - before);
      if (fn === FN.Priced && t.name === "FAULT" && asked.length - before > 1) result.wrong.push(`command ${i} (Priced): the node was asked ${asked.length - before} times`);
      if (t.name === "RESULT") result.counterValues.push(fn === FN.Count ? num : num / 11);
      else if (t.name === "FAULT") result.counterFailed++; // a node call whose answer did not arrive in time: trapped, reported
    }
    if (t.name === "FAULT" && fn === FN.Priced) {
      result.failed++;
      continue;
    }
    if (answer.syscallsMissing) {
      result.incomplete++;
      continue;
    }
    let good: boolean;
    switch (fn) {
      case FN.Count:
        good = t.name === "RESULT" && answer.reports.length === 1 && answer.reports[0]!.name === "SYSCALL" && answer.reports[0]!.fields.import === IMPORT.Out8 && answer.reports[0]!.fields.args[0] === num;
        break;
      case FN.Add:
        good = t.name === "RESULT" && eq(t.fields.value, le((a + b) >>> 0, 4));
        break;
      case FN.Echo:
        good =
          t.name === "DONE" &&
          answer.reports.length === 1 &&
          answer.reports[0]!.name === "SYSCALL" &&
          answer.reports[0]!.fields.import === IMPORT.Print &&
          eq(answer.reports[0]!.fields.args, encodeArgs([parseTypeName("string")!], [bytesOf(text)]));
        break;
      default:
        good = t.name === "RESULT" && num % 11 === 0 && asked[asked.length - 1] === num / 11;
    }
    if (good) result.ok++;
    else result.wrong.push(`command ${i} (function ${fn}): ${JSON.stringify(t, (_, v) => (v instanceof Uint8Array ? [...v] : v))}`);
  }
  result.resent = client.resent;
  result.faults = proxy.counts();
  await proxy.detach();
  // The device keeps answering: a new session without the proxy.
  const direct = new LinkClient(device, { timeoutMs: 5_000, image: app.image, ...(options.key ? { key: options.key } : {}) });
  const hello = await direct.hello();
  result.droppedFrames = hello.droppedFrames;
  const get = await direct.invoke("CALL", FN.Get, FUEL, new Uint8Array(0));
  result.finalCounter = get.terminal.name === "RESULT" ? get.terminal.fields.value[0]! : -1;
  return result;
}

function traced(t: ByteTransport): ByteTransport {
  const show = (dir: string) => {
    const r = new FrameReader();
    return (b: Uint8Array) => {
      for (const e of r.push(b)) console.log(`  ${dir} ${e.kind === "frame" ? `seq ${e.frame.seq} type 0x${e.frame.type.toString(16)} ${Buffer.from(e.frame.payload).toString("hex")}` : e.reason}`);
    };
  };
  const out = show("->dev");
  const inn = show("<-dev");
  return {
    write: async (b) => {
      out(b);
      await t.write(b);
    },
    read: async (ms) => {
      const b = await t.read(ms);
      inn(b);
      return b;
    },
    close: () => t.close(),
  };
}

/** One line for the log and docs/security.md. */
export function describeRun(r: FaultRunResult): string {
  const rates = Object.entries(r.rates)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const f = (c: LinkFaultCounts): string => `${c.frames} frames: flip ${c.flip}, truncate ${c.truncate}, drop ${c.drop}, duplicate ${c.duplicate}, reorder ${c.reorder}, delay ${c.delay}`;
  return `${rates} seed ${r.seed}: ok ${r.ok}, incomplete ${r.incomplete}, failed ${r.failed}, refused ${r.refused}, wrong ${r.wrong.length}, resent ${r.resent}, counter ${r.finalCounter} (${r.counterValues.length} came back, ${r.counterFailed} failed); node->device ${f(r.faults.toDevice)}; device->node ${f(r.faults.toNode)}; device dropped ${r.droppedFrames}`;
}
