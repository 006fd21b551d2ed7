// `alkyvm test-device --port <path>[@baud] [--json] [--corpus DIR]`: the
// conformance corpus on a device on a serial port (compiler/run/device-test.ts).

import { BoardEmulationError } from "../compiler/engines/transport.js";
import { FEATURE_NAMES } from "../compiler/ir/image.js";
import { LinkError, type HelloReply } from "../compiler/link/client.js";
import { BOARDS, codeName } from "../compiler/link/messages.js";
import { loadCases } from "../compiler/run/corpus.js";
import { formatOutcome, testDevice } from "../compiler/run/device-test.js";
import { openSerialDevice, parseSerialSpec, SERIAL_TIMEOUT_MS } from "../compiler/run/serial-backend.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError } from "./files.js";

function deviceLine(hello: HelloReply, port: string, baud: number): string {
  const features = FEATURE_NAMES.filter(([bit]) => hello.vmFeatures & bit).map(([, name]) => name);
  return `device ${codeName(BOARDS, hello.board)} on ${port} at ${baud} baud: features ${features.join(" ") || "none"}, app memory ${hello.memorySize} B, VM stack ${hello.stackSize} B, largest image ${hello.maxImage} B`;
}

/** Returns the exit code: 0 when every case that ran passed. */
export async function cmdTestDevice(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { valued: ["--port", "--corpus"], flags: ["--json"] });
  if (args.positionals.length > 0) throw new UsageError(`test-device takes no file arguments, got '${args.positionals[0]}'`);
  const portText = optionValue(args, "--port");
  if (portText === undefined) throw new UsageError("test-device needs --port <path>[@baud]");
  const spec = parseSerialSpec(portText);
  if (!spec) throw new UsageError(`--port needs <path>[@baud], got '${portText}'`);
  const json = args.flags.has("--json");
  const corpusDir = optionValue(args, "--corpus");
  const out = (line: string) => process.stdout.write(line + "\n");
  let cases;
  try {
    cases = corpusDir === undefined ? loadCases() : loadCases(corpusDir);
  } catch (e) {
    throw new CliError(`alkyvm: test-device: cannot read the corpus: ${(e as Error).message}`);
  }
  try {
    const { transport, hello } = await openSerialDevice(spec);
    try {
      if (!json) out(deviceLine(hello, spec.path, spec.baudRate));
      const summary = await testDevice(transport, hello, cases, (o) => out(json ? JSON.stringify({ case: o.name, status: o.status, ...(o.status === "ok" ? {} : { detail: o.detail }) }) : formatOutcome(o)), {
        timeoutMs: SERIAL_TIMEOUT_MS,
      });
      out(json ? JSON.stringify(summary) : `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
      return summary.failed === 0 ? 0 : 1;
    } finally {
      await transport.close();
    }
  } catch (e) {
    if (e instanceof LinkError || e instanceof BoardEmulationError) throw new CliError(`alkyvm: test-device: ${e.message.split("\n")[0]}`);
    throw e;
  }
}
