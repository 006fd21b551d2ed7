// Shared helpers for the Alkyl language tests: compile (failing the test with
// the formatted diagnostics), check the image with the verifier, and run
// functions by name on the reference VM, collecting syscalls by name.

import { expect } from "vitest";
import { compileAlkyl, formatDiagnostic, type Diagnostic } from "../../compiler/compile.js";
import type { Image } from "../../compiler/ir/image.js";
import { verifyImage, formatVerifyError } from "../../compiler/ir/verify.js";
import { profileByName, type Profile } from "../../compiler/profiles/profiles.js";
import type { Raw, RawArg, RawEffect } from "../../compiler/vm/effects.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";

export function profile(name: string): Profile {
  const p = profileByName(name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
}

export interface Compiled {
  image: Image;
  bytes: Uint8Array;
}

/** Compiles, failing with the formatted diagnostics; asserts the image verifies against the profile. */
export function compile(source: string, profileName = "test"): Compiled {
  const p = profile(profileName);
  const r = compileAlkyl(source, "test.alkyl", { profile: p });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  const v = verifyImage(r.bytes, { profile: p });
  if (!v.ok) throw new Error(`image does not verify: ${formatVerifyError(v.error)}`);
  return { image: r.image, bytes: r.bytes };
}

/** Compiles expecting failure; returns the diagnostics. */
export function diagnosticsOf(source: string, profileName = "test"): Diagnostic[] {
  const r = compileAlkyl(source, "test.alkyl", { profile: profile(profileName) });
  if (r.ok) throw new Error("expected compile errors");
  return r.diagnostics;
}

/** The message of the only diagnostic (the test fails if there is not exactly one). */
export function errorOf(source: string, profileName = "test"): string {
  const ds = diagnosticsOf(source, profileName);
  expect(ds.map((d) => d.message)).toHaveLength(1);
  return ds[0]!.message;
}

/** A syscall as tests compare it: its name and its arguments as bigints or strings. */
export interface Call {
  name: string;
  args: (bigint | string)[];
}

export interface Outcome {
  calls: Call[];
  /** The returned value (unsigned bits), if the function has a result and returned. */
  value: bigint | undefined;
  fault: string | undefined;
}

function toBig(v: Raw): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

/** A reference VM over a compiled program, keeping memory between calls, with a settable clock. */
export class Device {
  readonly vm: ReferenceVm;
  clock = 0;

  constructor(readonly compiled: Compiled, fuel = 1_000_000) {
    const image = compiled.image;
    this.vm = new ReferenceVm(image, {
      fuel,
      syscall: (i) => (image.imports[i]!.name === "Now" ? this.clock : undefined),
    });
  }

  static of(source: string, profileName = "test"): Device {
    return new Device(compile(source, profileName));
  }

  private index(name: string): number {
    const i = this.compiled.image.functions.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`no function ${name}`);
    return i;
  }

  /** Runs a function; string arguments are passed as JS strings. */
  run(name: string, ...args: (number | bigint | string | boolean)[]): Outcome {
    const raw: RawArg[] = args.map((a) => (typeof a === "string" ? new TextEncoder().encode(a) : typeof a === "boolean" ? (a ? 1 : 0) : a));
    const effects: RawEffect[] = this.vm.invoke(this.index(name), raw);
    const out: Outcome = { calls: [], value: undefined, fault: undefined };
    for (const e of effects) {
      if (e.kind === "syscall")
        out.calls.push({
          name: this.compiled.image.imports[e.importIndex]!.name,
          args: e.args.map((a) => (a instanceof Uint8Array ? new TextDecoder().decode(a) : toBig(a))),
        });
      else if (e.kind === "return") out.value = toBig(e.value);
      else out.fault = e.address === undefined ? e.fault : `${e.fault}@${e.address}`;
    }
    return out;
  }

  /** The value a function returns; fails on a fault. */
  value(name: string, ...args: (number | bigint | string | boolean)[]): bigint {
    const o = this.run(name, ...args);
    if (o.fault) throw new Error(`${name} faulted: ${o.fault}`);
    if (o.value === undefined) throw new Error(`${name} returned no value`);
    return o.value;
  }

  /** The syscalls a function makes, as `Name(arg, ...)` strings. */
  calls(name: string, ...args: (number | bigint | string | boolean)[]): string[] {
    const o = this.run(name, ...args);
    if (o.fault) throw new Error(`${name} faulted: ${o.fault}`);
    return o.calls.map((c) => `${c.name}(${c.args.map((a) => (typeof a === "string" ? JSON.stringify(a) : a.toString())).join(", ")})`);
  }
}

/** Two's-complement bits of a signed value at a width. */
export function bits(v: bigint, width: number): bigint {
  return BigInt.asUintN(width, v);
}

/** The signed reading of bits at a width. */
export function signed(v: bigint, width: number): bigint {
  return BigInt.asIntN(width, v);
}
