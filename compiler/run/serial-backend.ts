// The backends `serial:<path>[@baud]` and `tcp:<host>:<port>`: a flashed
// board (or an emulator on a pseudo-terminal) on a serial port, or a Linux
// board's firmware on a TCP port, behind the link protocol like every other
// device backend.

import { DEFAULT_BAUD, SerialTransport } from "../engines/serial.js";
import { parseTcpSpec, TcpTransport } from "../engines/tcp.js";
import { BoardEmulationError, type ByteTransport } from "../engines/transport.js";
import { LinkClient, LinkError, type HelloReply } from "../link/client.js";
import type { Backend } from "./backends.js";
import { LinkEngine, linkOptions } from "./link-engine.js";

export interface SerialSpec {
  path: string;
  baudRate: number;
}

/** Longest wait for one report once the device has answered HELLO (a large fuel budget on an 8-bit MCU takes a while). */
export const SERIAL_TIMEOUT_MS = 60_000;
/** How long a device may take to answer its first HELLO: opening the port resets an Uno, whose boot loader waits about a second. */
export const DEVICE_START_MS = 5_000;
const HELLO_TRY_MS = 400;

/** `<path>[@baud]` (the part after `serial:`, or --port's value); undefined when malformed. */
export function parseSerialSpec(text: string): SerialSpec | undefined {
  const at = text.lastIndexOf("@");
  const path = at < 0 ? text : text.slice(0, at);
  const baud = at < 0 ? String(DEFAULT_BAUD) : text.slice(at + 1);
  if (path === "" || !/^[1-9][0-9]{0,7}$/.test(baud)) return undefined;
  return { path, baudRate: Number(baud) };
}

/**
 * Sends HELLO until the device answers, for up to DEVICE_START_MS: the first
 * bytes after opening a port may reach a boot loader, not the firmware.
 * Answers to earlier tries that arrive late carry older sequence numbers and
 * are dropped by the next try, so the link is clean when this returns.
 */
export async function waitForDevice(transport: ByteTransport, what: string, startMs = DEVICE_START_MS, key?: Uint8Array): Promise<HelloReply> {
  const deadline = Date.now() + startMs;
  const probe = new LinkClient(transport, { timeoutMs: HELLO_TRY_MS, ...(key ? { key } : {}) });
  for (;;) {
    try {
      return await probe.hello();
    } catch (e) {
      if (!(e instanceof LinkError) || e.code !== "link" || Date.now() >= deadline) {
        if (e instanceof LinkError && e.code === "link")
          throw new BoardEmulationError("timeout", `no device answers on ${what} within ${startMs / 1000} s (is the AlkyVM firmware flashed, and the baud rate right?)`);
        throw e;
      }
    }
  }
}

/** Opens the port and waits for the device; closes the port again if it does not answer. */
export async function openSerialDevice(spec: SerialSpec, key?: Uint8Array): Promise<{ transport: SerialTransport; hello: HelloReply }> {
  const transport = await SerialTransport.open(spec.path, spec.baudRate);
  try {
    return { transport, hello: await waitForDevice(transport, `${spec.path} at ${spec.baudRate} baud`, DEVICE_START_MS, key) };
  } catch (e) {
    await transport.close();
    throw e;
  }
}

/** The backend for `serial:<path>[@baud]`, or undefined if the name is not one. */
export function serialBackendByName(name: string): Backend | undefined {
  if (!name.startsWith("serial:")) return undefined;
  const spec = parseSerialSpec(name.slice("serial:".length));
  if (!spec) return undefined;
  return {
    name,
    doc: `the device on serial port ${spec.path} at ${spec.baudRate} baud`,
    board: undefined,
    open: async (app, options) => {
      const { transport } = await openSerialDevice(spec, options.linkKey);
      return LinkEngine.open(transport, app.image, app.bytes, { ...linkOptions(options), timeoutMs: SERIAL_TIMEOUT_MS });
    },
  };
}

/** The backend for `tcp:<host>:<port>` (a Linux board's firmware listening with --listen), or undefined if the name is not one. */
export function tcpBackendByName(name: string): Backend | undefined {
  if (!name.startsWith("tcp:")) return undefined;
  const spec = parseTcpSpec(name.slice("tcp:".length));
  if (!spec) return undefined;
  return {
    name,
    doc: `the device listening on TCP ${spec.host}:${spec.port}`,
    board: undefined,
    open: async (app, options) => {
      const transport = await TcpTransport.open(spec.host, spec.port);
      try {
        await waitForDevice(transport, `tcp:${spec.host}:${spec.port}`, DEVICE_START_MS, options.linkKey);
      } catch (e) {
        await transport.close();
        throw e;
      }
      return LinkEngine.open(transport, app.image, app.bytes, { ...linkOptions(options), timeoutMs: SERIAL_TIMEOUT_MS });
    },
  };
}
