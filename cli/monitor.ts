// `alkyvm monitor --port <path>[@baud] [--hello] [--count N] [--seconds S] [--json]`:
// prints every link frame that arrives on the port, decoded (one line each),
// until Ctrl-C, N frames or S seconds. --hello sends HELLO (again every
// 400 ms until something arrives) so a device shows itself.

import { SerialTransport } from "../compiler/engines/serial.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import { frameJson, frameText } from "../compiler/firmware/frame-text.js";
import { encodeFrame, FrameReader } from "../compiler/link/frame.js";
import { staleNumber } from "../compiler/link/client.js";
import { decodePayload, encodePayload, messageSpec } from "../compiler/link/messages.js";
import { parseSerialSpec } from "../compiler/run/serial-backend.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError } from "./files.js";

function positiveNumber(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw new UsageError(`${option} needs a positive number, got '${text}'`);
  return Number(text);
}

export async function cmdMonitor(argv: string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { valued: ["--port", "--count", "--seconds"], flags: ["--hello", "--json"] });
  if (args.positionals.length > 0) throw new UsageError(`monitor takes no file arguments, got '${args.positionals[0]}'`);
  const portText = optionValue(args, "--port");
  if (portText === undefined) throw new UsageError("monitor needs --port <path>[@baud]");
  const spec = parseSerialSpec(portText);
  if (!spec) throw new UsageError(`--port needs <path>[@baud], got '${portText}'`);
  const count = positiveNumber(optionValue(args, "--count"), "--count");
  const seconds = positiveNumber(optionValue(args, "--seconds"), "--seconds");
  const json = args.flags.has("--json");
  let transport: SerialTransport;
  try {
    transport = await SerialTransport.open(spec.path, spec.baudRate);
  } catch (e) {
    if (e instanceof BoardEmulationError) throw new CliError(`alkyvm: monitor: ${e.message}`);
    throw e;
  }
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  const deadline = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
  const reader = new FrameReader();
  let helloSeq = 1;
  const hello = (): Uint8Array => encodeFrame({ flags: 0, seq: helloSeq, type: messageSpec("HELLO").id, payload: encodePayload("HELLO", {}) });
  let seen = 0;
  let nextHello = args.flags.has("--hello") ? 0 : Infinity;
  try {
    while (!stop && Date.now() < deadline && (count === undefined || seen < count)) {
      if (seen === 0 && Date.now() >= nextHello) {
        await transport.write(hello());
        nextHello = Date.now() + 400;
      }
      const bytes = await transport.read(Math.min(200, Math.max(0, deadline - Date.now())));
      for (const e of reader.push(bytes)) {
        if (count !== undefined && seen >= count) break;
        const resync = e.kind === "frame" && seen === 0 && nextHello !== Infinity ? staleHello(e.frame, helloSeq) : undefined;
        if (resync !== undefined) {
          // The device took this number in an earlier session (docs/link.md §4.6): say HELLO after its last one.
          helloSeq = resync;
          nextHello = 0;
          continue;
        }
        seen++;
        if (e.kind === "frame") out(json ? JSON.stringify(frameJson(e.frame)) : frameText(e.frame));
        else out(json ? JSON.stringify({ dropped: e.reason }) : `dropped: ${e.reason}`);
      }
    }
  } catch (e) {
    if (e instanceof BoardEmulationError) throw new CliError(`alkyvm: monitor: ${e.message.split("\n")[0]}`);
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    await transport.close();
  }
  return 0;
}

/** The number to say HELLO with next if `frame` refuses our HELLO `seq` as behind the device's last request. */
function staleHello(frame: { seq: number; type: number; payload: Uint8Array }, seq: number): number | undefined {
  if (frame.seq !== seq || frame.type !== messageSpec("ERROR").id) return undefined;
  const d = decodePayload(frame.type, frame.payload);
  const last = d.ok ? staleNumber(d.message) : undefined;
  return last === undefined ? undefined : (last % 255) + 1;
}
