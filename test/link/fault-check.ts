// The assertions every fault-injection run must pass, whatever the faults
// (test/link/fault-run.ts runs the commands).

import { expect } from "vitest";
import type { FaultRunResult } from "./fault-run.js";

/** The assertions every run must pass, whatever the faults. */
export function checkRun(r: FaultRunResult): void {
  expect(r.loaded, "the app loads through the faults").toBe(true);
  expect(r.wrong, "no answer is wrong (a corrupted or forged frame acted on)").toEqual([]);
  // Exactly once: the counter values that came back rise strictly, and skip only where a counting command failed.
  for (let i = 1; i < r.counterValues.length; i++) expect(r.counterValues[i]!).toBeGreaterThan(r.counterValues[i - 1]!);
  const executed = r.finalCounter;
  expect(executed).toBeGreaterThanOrEqual(r.counterValues.length);
  expect(executed - r.counterValues.length).toBeLessThanOrEqual(r.counterFailed);
  if (r.counterValues.length > 0) expect(r.counterValues[r.counterValues.length - 1]!).toBeLessThanOrEqual(executed);
  // A node call asked once per Priced call.
  for (const n of r.nodeCallsPerPriced) expect(n).toBe(1);
}
