// The reference VM's suspension at a node call (what the Aryl runner uses to
// wait for the chain): the invocation stops at the NCALL and resume(answer)
// continues it with its frames, operand stack and remaining fuel.

import { describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import type { Image } from "../../compiler/ir/image.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { SUSPEND, type RawEffect } from "../../compiler/vm/effects.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";

const SOURCE = `node uint32_t Offload(uint32_t x);
uint32_t twice(uint32_t x) { SystemCall(Out32, x); return Offload(x) + 1; }
public uint32_t F(uint32_t x) { return twice(x) * 10; }`;

function image(): Image {
  const r = compileAlkyl(SOURCE, "t.alkyl", { profile: profileByName("test")! });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.image;
}

const F = 1;
const finished = (effects: RawEffect[]): RawEffect | undefined => effects.find((e) => e.kind === "return" || e.kind === "fault");

describe("reference VM: suspending at a node call", () => {
  it("stops at the NCALL and resumes inside the callee's frame with the answer", () => {
    const vm = new ReferenceVm(image(), { nodeCall: () => SUSPEND });
    expect(vm.invoke(F, [4])).toEqual([{ kind: "syscall", importIndex: 0, args: [4] }]);
    expect(vm.suspended).toBe(true);
    expect(vm.resume(20)).toEqual([{ kind: "return", value: 210 }]);
    expect(vm.suspended).toBe(false);
  });

  it("refuses another invocation while one is suspended, and a resume without one", () => {
    const vm = new ReferenceVm(image(), { nodeCall: () => SUSPEND });
    vm.invoke(F, [4]);
    expect(() => vm.invoke(F, [5])).toThrow(/suspended/);
    vm.resume(1);
    expect(() => vm.resume(1)).toThrow(/no invocation is suspended/);
  });

  it("a failed answer traps, as a synchronous one does", () => {
    const vm = new ReferenceVm(image(), { nodeCall: () => SUSPEND });
    vm.invoke(F, [4]);
    expect(vm.resume(undefined)).toEqual([{ kind: "fault", fault: "trap" }]);
    expect(vm.suspended).toBe(false);
    expect(finished(vm.invoke(0, [3]).concat(vm.resume(7)))).toEqual({ kind: "return", value: 8 });
  });

  it("keeps the fuel it had left: the same budget suffices exactly, suspended or not", () => {
    let needed = 1;
    while (finished(new ReferenceVm(image(), { fuel: needed, nodeCall: () => 20 }).invoke(F, [4]))?.kind !== "return") needed++;
    const suspended = (fuel: number): RawEffect | undefined => {
      const vm = new ReferenceVm(image(), { fuel, nodeCall: () => SUSPEND });
      const before = vm.invoke(F, [4]);
      return vm.suspended ? finished(vm.resume(20)) : finished(before);
    };
    expect(suspended(needed)).toEqual({ kind: "return", value: 210 });
    expect(suspended(needed - 1)).toEqual({ kind: "fault", fault: "fuel" });
  });
});
