// `alkyvm devices [--port <path>[@baud]]... [--json]`: the serial ports
// (node-serialport's list, plus any --port given: a pseudo-terminal is not
// listed) and, for each, the AlkyVM board that answers HELLO on it.

import { SerialPort } from "serialport";
import { BOARDS as BOARD_TABLE } from "../boards/boards.js";
import { SerialTransport } from "../compiler/engines/serial.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import { LinkError, type HelloReply } from "../compiler/link/client.js";
import { BOARDS, codeName } from "../compiler/link/messages.js";
import { parseSerialSpec, waitForDevice } from "../compiler/run/serial-backend.js";
import { parseArgs, UsageError } from "./args.js";

/** How long one baud rate is tried: opening the Uno's port resets it, its boot loader waits about a second. */
const PROBE_MS = 3_000;

/** The link speeds of the boards, fastest first: the rates a port is probed at when --port names none. */
const PROBE_BAUDS = [...new Set(BOARD_TABLE.flatMap((b) => (b.link.kind === "uart" ? [b.link.baud] : [])))].sort((a, b) => b - a);

type Probe = { port: string; baud: number; hello: HelloReply } | { port: string; problem: string };

async function probe(path: string, bauds: readonly number[]): Promise<Probe> {
  for (const baud of bauds) {
    let transport: SerialTransport;
    try {
      transport = await SerialTransport.open(path, baud, { reopenMs: 0 });
    } catch (e) {
      return { port: path, problem: (e as Error).message };
    }
    try {
      return { port: path, baud, hello: await waitForDevice(transport, path, PROBE_MS) };
    } catch (e) {
      if (!(e instanceof BoardEmulationError || e instanceof LinkError)) throw e;
    } finally {
      await transport.close();
    }
  }
  return { port: path, problem: `no AlkyVM device answers (tried ${bauds.join(", ")} baud)` };
}

/** Ports node-serialport lists; none when listing fails (no udev here). */
async function listedPorts(): Promise<string[]> {
  try {
    return (await SerialPort.list()).map((p) => p.path);
  } catch {
    return [];
  }
}

export async function cmdDevices(argv: string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { valued: ["--port"], flags: ["--json"] });
  if (args.positionals.length > 0) throw new UsageError(`devices takes no file arguments, got '${args.positionals[0]}'`);
  const given = args.options.filter((o) => o.name === "--port").map((o) => {
    const spec = parseSerialSpec(o.value);
    if (!spec) throw new UsageError(`--port needs <path>[@baud], got '${o.value}'`);
    return { path: spec.path, bauds: o.value.includes("@") ? [spec.baudRate] : PROBE_BAUDS };
  });
  const listed = (await listedPorts()).filter((p) => !given.some((g) => g.path === p)).map((path) => ({ path, bauds: PROBE_BAUDS }));
  const ports = [...given, ...listed];
  const json = args.flags.has("--json");
  if (ports.length === 0 && !json) out("no serial ports found (name one with --port <path>)");
  for (const p of ports) {
    const r = await probe(p.path, p.bauds);
    if ("hello" in r) {
      const board = codeName(BOARDS, r.hello.board);
      const app = r.hello.appLength ? `app ${r.hello.appLength} bytes (crc ${r.hello.appCrc.toString(16).padStart(8, "0")})` : "no app";
      out(json ? JSON.stringify({ port: r.port, baud: r.baud, board, profile: r.hello.profile, appLength: r.hello.appLength }) : `${r.port}: ${board} at ${r.baud} baud, ${app}`);
    } else {
      out(json ? JSON.stringify({ port: r.port, board: null, problem: r.problem }) : `${r.port}: ${r.problem}`);
    }
  }
  return 0;
}
