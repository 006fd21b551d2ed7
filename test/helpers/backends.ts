// Runs an app on a backend of `alkyvm run` in-process and returns its trace
// lines, for tests that compare backends (the CLI prints the same lines).

import { compileAlkyl, formatDiagnostic } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { backendByName, type App } from "../../compiler/run/backends.js";
import { runSteps } from "../../compiler/run/session.js";
import type { Step } from "../../compiler/run/steps.js";
import { formatTraceLine } from "../../compiler/run/trace.js";

export function compileApp(source: string, profileName = "test"): App {
  const profile = profileByName(profileName)!;
  const r = compileAlkyl(source, "random.alkyl", { profile });
  if (!r.ok) throw new Error(`does not compile:\n${r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n")}\n${source}`);
  return { image: r.image, bytes: r.bytes, profile };
}

export async function traceOn(backend: string, app: App, steps: readonly Step[], fuel?: number): Promise<string[]> {
  const b = backendByName(backend);
  if (!b) throw new Error(`no backend ${backend}`);
  const engine = await b.open(app, fuel === undefined ? {} : { fuel });
  const lines: string[] = [];
  try {
    await runSteps(app.image, app.profile, engine, steps, (l) => lines.push(formatTraceLine(l)));
  } finally {
    await engine.close();
  }
  return lines;
}
