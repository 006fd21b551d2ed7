// The paper's smart lock (examples/smartlock/lock.alkyl, compiled exactly as
// printed in the paper) and the improved lock, run on the reference VM.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Device, compile } from "./helpers.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "smartlock");

function example(name: string): string {
  return readFileSync(join(EXAMPLES, name), "utf8");
}

/** Presses each key of `keys`, returning the syscalls made, in order (reading the clock aside). */
function press(device: Device, keys: string): string[] {
  return [...keys].flatMap((k) => device.calls("KeyPressed", k.charCodeAt(0))).filter((c) => c !== "Now()");
}

describe("examples/smartlock", () => {
  it.each(["lock.alkyl", "lock_improved.alkyl"])("%s compiles for the smartlock profile", (name) => {
    const { image } = compile(example(name), "smartlock");
    expect(image.functions.map((f) => f.name)).toContain("KeyPressed");
  });
});

describe("the paper's lock", () => {
  function lock(): Device {
    const d = Device.of(example("lock.alkyl"), "smartlock");
    d.run("SetPin", "1234", 1_700_000_000);
    return d;
  }

  it("unlocks on the right PIN", () => {
    expect(press(lock(), "1234")).toEqual(["Unlock()"]);
  });

  it("beeps on a wrong PIN", () => {
    expect(press(lock(), "1235")).toEqual(["IncorrectBeep()"]);
  });

  it("beeps again on every wrong attempt and still unlocks afterwards", () => {
    const d = lock();
    expect(press(d, "0000")).toEqual(["IncorrectBeep()"]);
    expect(press(d, "9234")).toEqual(["IncorrectBeep()"]);
    expect(press(d, "1234")).toEqual(["Unlock()"]);
    expect(press(d, "1234")).toEqual(["Unlock()"]);
  });

  it("says nothing until the fourth key", () => {
    expect(press(lock(), "123")).toEqual([]);
  });

  it("takes a new PIN from SetPin", () => {
    const d = lock();
    d.run("SetPin", "4321", 0);
    expect(press(d, "1234")).toEqual(["IncorrectBeep()"]);
    expect(press(d, "4321")).toEqual(["Unlock()"]);
  });
});

describe("the improved lock", () => {
  const NOW = 1_700_000_000;

  function lock(expiresIn = 600): Device {
    const d = Device.of(example("lock_improved.alkyl"), "smartlock");
    d.clock = NOW;
    d.run("SetPin", "1234", NOW + expiresIn);
    return d;
  }

  it("unlocks on the right PIN before it expires", () => {
    expect(press(lock(), "1234")).toEqual(["Unlock()"]);
  });

  it("refuses the right PIN once it has expired", () => {
    const d = lock(60);
    d.clock = NOW + 61;
    expect(press(d, "1234")).toEqual(["IncorrectBeep()"]);
  });

  it("sounds the alarm on the third wrong PIN in a row, then ignores the keypad", () => {
    const d = lock();
    expect(press(d, "1111")).toEqual(["IncorrectBeep()"]);
    expect(press(d, "2222")).toEqual(["IncorrectBeep()"]);
    expect(d.value("FailedAttempts")).toBe(2n);
    expect(press(d, "3333")).toEqual(["IncorrectBeep()", "IncorrectBeep()", "IncorrectBeep()"]);
    expect(press(d, "1234")).toEqual([]);
  });

  it("accepts the right PIN again after the lockout", () => {
    const d = lock(3600);
    press(d, "111122223333");
    d.clock = NOW + 301;
    expect(press(d, "1234")).toEqual(["Unlock()"]);
  });

  it("resets the failure count on a correct PIN", () => {
    const d = lock();
    press(d, "11112222");
    expect(press(d, "1234")).toEqual(["Unlock()"]);
    expect(d.value("FailedAttempts")).toBe(0n);
    expect(press(d, "9999")).toEqual(["IncorrectBeep()"]);
  });

  it("starts the entry over after a long pause between keys", () => {
    const d = lock();
    press(d, "12");
    d.clock = NOW + 30;
    expect(press(d, "1234")).toEqual(["Unlock()"]);
  });
});
