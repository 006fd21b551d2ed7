// Differential fuzzing (docs/security.md, "Fuzzing"): the same inputs on the
// TypeScript toolchain and the C VM. Mutated images (of the conformance seeds
// and of what libFuzzer kept in build/fuzz/corpus/) must get the same verdict
// from both verifiers and, when accepted, the same trace and memory on both
// VMs; random programs must give the same trace on the reference VM and on the
// C VM behind the link. ALKY_FUZZ_CASES sets how many cases (default: brief).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../compiler/ir/crc32.js";
import { decodeImage, FunctionKind } from "../../compiler/ir/image.js";
import { ValueKind, widthBytes } from "../../compiler/ir/types.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileById } from "../../compiler/profiles/profiles.js";
import { FUZZ_BUILD, seedFiles, writeSeeds } from "../../scripts/fuzz/build.js";
import { compileApp, traceOn } from "../helpers/backends.js";
import { program, TYPES } from "../helpers/random-alkyl.js";
import { runC, verifyC } from "../vm-c/c-vm.js";
import { prng } from "../vm-c/corpus.js";
import { runTs } from "../vm-c/ts-vm.js";

const CASES = Number(process.env.ALKY_FUZZ_CASES ?? 2000);

const profileOf = (b: Uint8Array): number => (b.length >= 8 ? b[6]! | (b[7]! << 8) : 0);

/** Rewrites the CRC trailer, as the libFuzzer target does, so mutations reach the checks after it. */
function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4) new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/** One or two of libFuzzer's kinds of mutation: bit flip, byte change, random byte, insert, erase, copy a run, cut. */
function mutate(image: Uint8Array, next: () => number): Uint8Array {
  let m = Array.from(image);
  const rounds = 1 + (next() % 2);
  for (let k = 0; k < rounds && m.length > 0; k++) {
    const at = next() % m.length;
    switch (next() % 10) {
      case 0: m[at] = m[at]! ^ (1 << next() % 8); break;
      case 2: m[at] = next() & 0xff; break;
      case 1: case 7: case 8: case 9: m[at] = (m[at]! + (next() % 2 ? 1 : 255)) & 0xff; break; // small changes find off-by-one bounds
      case 3: m.splice(at, 0, ...Array.from({ length: 1 + (next() % 4) }, () => next() & 0xff)); break;
      case 4: m.splice(at, 1 + (next() % 4)); break;
      case 5: {
        const from = next() % m.length;
        const len = 1 + (next() % 8);
        m.splice(at, Math.min(len, m.length - at), ...m.slice(from, from + len));
        break;
      }
      case 6: m = m.slice(0, at + 4);
    }
  }
  return withCrc(Uint8Array.from(m));
}

function tsVerdict(bytes: Uint8Array, profileId: number): string {
  const r = verifyImage(bytes, { profile: profileById(profileId)! });
  return r.ok ? "ok" : `verify ${r.error.rule} ${r.error.offset}`;
}

/** Every public function and event handler with fixed arguments (integers 0x07 in every byte, strings "fz" where it fits, else empty), then memory. */
function commandsFor(bytes: Uint8Array): string[] {
  const decoded = decodeImage(bytes);
  if (!decoded.ok) throw new Error("an accepted image does not decode");
  const image = decoded.value.image;
  const out = image.functions.flatMap((fn, index) => {
    if (fn.kind === FunctionKind.Helper) return [];
    // The reference VM throws on a string the caller should not pass (too long for its buffer, or to an event):
    // the link layer refuses those before the VM, so they are not a VM's behaviour to compare.
    const params = fn.locals.slice(0, fn.paramCount);
    const strings = fn.kind === FunctionKind.Public ? fn.stringBuffers : [];
    if (params.filter((t) => t.kind === ValueKind.String).length > strings.length || strings.some((b) => b.capacity < 1)) return [];
    let k = 0;
    const args = params.map((t) => (t.kind === ValueKind.String ? (strings[k++]!.capacity > 2 ? "667a" : "-") : "07".repeat(widthBytes(t.width))));
    return [[fn.kind === FunctionKind.Public ? `call ${index}` : `event ${fn.eventId}`, ...args].join(" ")];
  });
  return [...out, `mem 0 ${Math.min(image.memorySize, 512)}`];
}

/** The seed images and, when a libFuzzer run left one, its corpus. */
function sources(): Uint8Array[] {
  const files = seedFiles(writeSeeds());
  const corpus = join(FUZZ_BUILD, "corpus");
  if (existsSync(corpus)) files.push(...readdirSync(corpus).sort().map((f) => join(corpus, f)));
  return files.map((f) => new Uint8Array(readFileSync(f))).filter((b) => profileById(profileOf(b)) !== undefined);
}

describe("differential fuzzing: TypeScript = C", () => {
  it(`mutated images (${CASES}): the same verdict from both verifiers, the same run when accepted`, () => {
    const base = sources();
    const next = prng(0xf022 + CASES);
    const byProfile = new Map<number, { base: number; image: Uint8Array }[]>();
    for (let i = 0; i < CASES; i++) {
      const b = next() % base.length;
      const p = profileOf(base[b]!);
      const list = byProfile.get(p) ?? [];
      list.push({ base: b, image: mutate(base[b]!, next) });
      byProfile.set(p, list);
    }
    let accepted = 0;
    const rules = new Set<string>();
    for (const [profile, list] of byProfile) {
      const images = list.map((x) => x.image);
      const c = verifyC(images, { profile });
      expect(c.length).toBe(images.length);
      const diffs = images.flatMap((b, i) => {
        const ts = tsVerdict(b, profile);
        rules.add(ts.split(" ")[1] ?? ts);
        return c[i] === ts ? [] : [`mutation of input ${list[i]!.base} (${Buffer.from(b).toString("hex")}): C "${c[i]}", TS "${ts}"`];
      });
      expect(diffs.slice(0, 3)).toEqual([]);
      for (const image of images.filter((_, i) => c[i] === "ok")) {
        accepted++;
        const commands = commandsFor(image);
        const options = { profile, fuel: 5000 } as const;
        expect(runC(image, commands, options), Buffer.from(image).toString("hex")).toEqual(runTs(image, commands, options));
      }
    }
    if (process.env.ALKY_FUZZ_CASES) console.log(`differential: ${CASES} mutations of ${base.length} inputs, ${accepted} accepted and run, rules seen: ${[...rules].sort().join(" ")}`);
    // The mutations reach past the container checks into the verifier, and some still run.
    expect(accepted).toBeGreaterThan(CASES / 100);
    for (const rule of ["underflow", "opcode", "jump-target"]) expect(rules).toContain(rule);
  }, 600_000);

  it(`random programs (${Math.ceil(CASES / 100)}): the same trace on the reference VM and on the C VM over the link`, async () => {
    await fc.assert(
      fc.asyncProperty(program(TYPES), async ({ source, call }) => {
        const app = compileApp(source);
        const steps = [{ kind: "call" as const, text: call }];
        expect(await traceOn("c", app, steps), source).toEqual(await traceOn("ts", app, steps));
      }),
      { numRuns: Math.ceil(CASES / 100), seed: 0x5eed + CASES },
    );
  }, 600_000);
});
