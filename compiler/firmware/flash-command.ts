// `alkyvm flash`: the command that writes a built firmware onto a board, by
// the board's upload method (boards/boards.ts): avrdude through the Uno's
// boot loader, mspdebug through the LaunchPad's on-board rf2500 programmer,
// or `pio run -t upload` when PlatformIO is installed.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Board } from "../../boards/boards.js";
import { findTool } from "../engines/firmware-build.js";

export interface FlashRequest {
  board: Board;
  /** The project `alkyvm firmware` wrote (its .alkyvm/ holds the build). */
  projectDir: string;
  /** The board's serial port (the Uno's boot loader listens there; the LaunchPad is programmed over USB and ignores it). */
  port: string | undefined;
  /** Use `pio run -t upload` when pio is on PATH (default true). */
  preferPlatformio?: boolean;
}

export type FlashPlan = { ok: true; tool: string; args: string[] } | { ok: false; message: string };

/** The command line to run, or why there is none: one line naming the problem. */
export function flashPlan(req: FlashRequest): FlashPlan {
  const { board, projectDir, port } = req;
  const upload = board.upload;
  if (upload.tool === "copy") return { ok: false, message: `board '${board.id}' runs a Linux program, nothing to flash: ${upload.note} (${join(projectDir, ".alkyvm", "alky_device")})` };
  const pio = req.preferPlatformio === false ? undefined : findTool("pio");
  if (pio && existsSync(join(projectDir, "platformio.ini"))) {
    return { ok: true, tool: pio, args: ["run", "-d", projectDir, "-e", board.platformio.env, "-t", "upload", ...(port ? ["--upload-port", port] : [])] };
  }
  if (upload.tool === "avrdude") {
    if (!port) return { ok: false, message: `--port is required for board '${board.id}' (its serial port, e.g. /dev/ttyACM0)` };
    const hex = join(projectDir, ".alkyvm", "firmware.hex");
    if (!existsSync(hex)) return { ok: false, message: `no firmware at ${hex}: run alkyvm firmware --board ${board.id} -o ${projectDir} first` };
    return { ok: true, tool: "avrdude", args: ["-p", upload.part, "-c", upload.programmer, "-P", port, "-b", String(upload.baud), "-D", "-U", `flash:w:${hex}:i`] };
  }
  const elf = join(projectDir, ".alkyvm", "firmware.elf");
  if (!existsSync(elf)) return { ok: false, message: `no firmware at ${elf}: run alkyvm firmware --board ${board.id} -o ${projectDir} first` };
  return { ok: true, tool: "mspdebug", args: ["-q", upload.driver, `prog ${elf}`] };
}

/** The Debian package that brings a flashing tool. */
export const TOOL_PACKAGES: Record<string, string> = { avrdude: "avrdude", mspdebug: "mspdebug" };
