// Device app images for the fusion tests, compiled from the smart-lock examples.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileAlkyl } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { ROOT } from "../helpers/cli.js";

export function compiledApp(file: string, profile: string): Uint8Array {
  const path = join(ROOT, file);
  const r = compileAlkyl(readFileSync(path, "utf8"), path, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(`${file} does not compile`);
  return r.bytes;
}

export const LOCK = compiledApp("examples/smartlock/lock.alkyl", "smartlock");
export const LOCK_IMPROVED = compiledApp("examples/smartlock/lock_improved.alkyl", "smartlock");
