// `alkyvm demo`: the project's main job, with no arguments and no hardware. It
// plays the rental story (aryl/demo/story.ts) on a local Anvil chain with
// emulated devices, prints the narrative, and exits 0 only if every
// expectation held (docs/aryl.md §7). The chain, the node and every device
// process are stopped on the way out: at the end, after a failure, and on
// Ctrl-C or SIGTERM.

import { parseArgs, UsageError } from "./args.js";
import { CliError } from "./files.js";

export const DEMO_USAGE = `alkyvm demo
        plays the rental story: Anvil, the fused rental contract, an Aryl node, three emulated Uno locks and a meter;
        exit 0 only if every expectation held (docs/aryl.md §7)`;

export async function cmdDemo(argv: string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { valued: [], flags: [] });
  if (args.positionals.length > 0) throw new UsageError(`alkyvm demo takes no arguments, got '${args.positionals[0]}'`);
  const started = Date.now();
  // Loaded here: viem, solc and the node are not needed by the other commands.
  const { RentalStory } = await import("../aryl/demo/story.js");
  let story: InstanceType<typeof RentalStory>;
  try {
    // After Ctrl-C the story's remaining lines (failures of what was cut short) would only confuse.
    story = new RentalStory({ line: (text) => interrupted || out(text) });
  } catch (e) {
    throw new CliError(`alkyvm demo: ${(e as Error).message.split("\n")[0]}`);
  }
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    out(`demo: ${signal}, stopping the node, the devices and the chain`);
    // The shell's convention: 128 + the signal's number.
    void story.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await story.play();
    await story.stop();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out("");
    if (result.failed.length === 0) {
      out(`demo: all ${result.held} expectations held (${seconds} s)`);
      return 0;
    }
    out(`demo: ${result.failed.length} of ${result.held + result.failed.length} expectations failed (${seconds} s):`);
    for (const what of result.failed) out(`  ${what}`);
    return 1;
  } finally {
    await story.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
