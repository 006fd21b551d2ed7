// The Uno's app store shares its 1 KB of EEPROM between the two slots
// (docs/link.md §5): an image goes beside the installed one when both fit, so
// the installed app survives a refused update; a larger one displaces it, and
// a refused update then leaves no app, never a torn one.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { LinkClient, LinkError } from "../../compiler/link/client.js";
import { profileByName } from "../../compiler/profiles/profiles.js";

const ROOT = join(import.meta.dirname, "..", "..");

function image(path: string, profile: string): Uint8Array {
  const r = compileAlkyl(readFileSync(join(ROOT, path), "utf8"), path, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(`${path} does not compile`);
  return r.bytes;
}

const LOCK = image("examples/smartlock/lock.alkyl", "smartlock"); // 232 bytes
const IMPROVED = image("examples/smartlock/lock_improved.alkyl", "smartlock"); // about 500
const ARRAYS = image("test/conformance/arrays.alkyl", "test"); // about 490

/** The image with one code byte changed and its CRC-32 trailer left as it was. */
function torn(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[bytes.length - 20] ^= 0x5a;
  return copy;
}

const sims: SimavrProcess[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function uno(): Promise<LinkClient> {
  const sim = await SimavrProcess.start(buildUnoDevice().elf, { wallTimeoutMs: 60_000 });
  sims.push(sim);
  return new LinkClient(sim, { timeoutMs: 30_000 });
}

describe("Uno app store in 1 KB of EEPROM (run scripts/setup.sh if a toolchain is missing)", () => {
  it("holds an image larger than half the EEPROM when none is installed", async () => {
    expect(IMPROVED.length).toBeGreaterThan(480);
    const link = await uno();
    const hello = await link.hello();
    expect(hello.maxImage).toBe(1024 - 64 - 1 - 2 * 12);
    await link.load(IMPROVED);
    expect((await link.hello()).appLength).toBe(IMPROVED.length);
  });

  it("keeps the installed app through a refused update that fits beside it", async () => {
    const link = await uno();
    await link.hello();
    await link.load(LOCK);
    await expect(link.load(torn(IMPROVED))).rejects.toThrow(LinkError);
    const after = await link.hello();
    expect(after.appLength).toBe(LOCK.length);
    await link.load(IMPROVED); // beside the lock: the lock stays until this commit
    expect((await link.hello()).appLength).toBe(IMPROVED.length);
  });

  it("lets an image too large to sit beside the installed one displace it: a refused one leaves no app", async () => {
    expect(IMPROVED.length + ARRAYS.length).toBeGreaterThan(1024 - 64 - 1 - 2 * 12);
    const link = await uno();
    await link.hello();
    await link.load(IMPROVED);
    await expect(link.load(torn(ARRAYS))).rejects.toMatchObject({ code: "image-crc" });
    const hello = await link.hello();
    expect([hello.appLength, hello.appCrc]).toEqual([0, 0]);
    const call = await link.invoke("CALL", 0, 1000, new Uint8Array(0));
    expect(call.terminal).toMatchObject({ name: "ERROR", fields: { code: 4 } }); // no-app
    await link.load(ARRAYS);
    expect((await link.hello()).appLength).toBe(ARRAYS.length);
  });
});
