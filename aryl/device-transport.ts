// Opens the byte stream to one device of the devices file: a serial port, a
// TCP connection, or a board the node emulates itself (whose app store is
// kept under the node's data directory, so it survives a node restart). An
// emulated board is built with the entry's link key, as a real one is
// provisioned at flash time (docs/link.md §2.1).

import { join } from "node:path";
import { buildHostDevice, buildUnoDevice } from "../compiler/engines/firmware-build.js";
import { PipeProcess } from "../compiler/engines/pipe.js";
import { SimavrProcess } from "../compiler/engines/simavr.js";
import { TcpTransport } from "../compiler/engines/tcp.js";
import type { ByteTransport } from "../compiler/engines/transport.js";
import { openSerialDevice } from "../compiler/run/serial-backend.js";
import type { DeviceEntry } from "./devices-file.js";

/** Longest wait for one report: an emulated Uno is slow. */
export function reportTimeoutMs(entry: DeviceEntry): number {
  return entry.transport.kind === "emulated" && entry.transport.board === "uno" ? 120_000 : 30_000;
}

/**
 * Builds (or finds cached) the firmware of every emulated board in the list.
 * The build blocks this process, so the node does it once at start, not while
 * it serves.
 */
export function buildEmulatedFirmware(entries: readonly DeviceEntry[]): void {
  for (const e of entries) {
    if (e.transport.kind !== "emulated") continue;
    if (e.transport.board === "uno") buildUnoDevice({ linkKey: e.key });
    else buildHostDevice({ linkKey: e.key });
  }
}

export async function openDeviceTransport(entry: DeviceEntry, storeDir: string): Promise<ByteTransport> {
  const t = entry.transport;
  switch (t.kind) {
    case "serial":
      return (await openSerialDevice(t.serial)).transport;
    case "tcp":
      return TcpTransport.open(t.host, t.port);
    case "emulated":
      if (t.board === "uno") return SimavrProcess.start(buildUnoDevice({ linkKey: entry.key }).elf, { eepromFile: join(storeDir, `${entry.name}.eeprom`) });
      return PipeProcess.start(buildHostDevice({ linkKey: entry.key }), ["--store", join(storeDir, `${entry.name}.store`)]);
  }
}
