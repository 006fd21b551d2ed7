// `alkyvm flash --board <id> [--port <path>] [-d dir] [--dry-run]`: writes the
// firmware `alkyvm firmware` built in dir onto the board.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { boardById, BOARDS } from "../boards/boards.js";
import { findTool } from "../compiler/engines/firmware-build.js";
import { flashPlan, TOOL_PACKAGES } from "../compiler/firmware/flash-command.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError } from "./files.js";

/** A shell-safe rendering of a command line, for --dry-run and messages. */
function shellLine(tool: string, args: readonly string[]): string {
  return [tool, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export function cmdFlash(argv: string[], out: (line: string) => void): number {
  const args = parseArgs(argv, { valued: ["--board", "--port", "-d"], flags: ["--dry-run"] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const id = optionValue(args, "--board");
  if (id === undefined) throw new UsageError(`--board is required (${BOARDS.map((b) => b.id).join(", ")})`);
  const board = boardById(id);
  if (!board) throw new UsageError(`unknown board '${id}' (known: ${BOARDS.map((b) => b.id).join(", ")})`);
  const port = optionValue(args, "--port");
  const plan = flashPlan({ board, projectDir: optionValue(args, "-d") ?? `firmware-${board.id}`, port });
  if (!plan.ok) throw new CliError(`alkyvm flash: ${plan.message}`);
  if (args.flags.has("--dry-run")) {
    out(shellLine(plan.tool, plan.args));
    return 0;
  }
  const tool = plan.tool.includes("/") ? plan.tool : findTool(plan.tool);
  if (!tool) throw new CliError(`alkyvm flash: ${plan.tool} (Debian ${TOOL_PACKAGES[plan.tool] ?? plan.tool}) is not installed: run scripts/setup.sh`);
  if (port !== undefined && board.upload.tool === "avrdude" && !existsSync(port)) throw new CliError(`alkyvm flash: no serial port ${port} (is the board plugged in?)`);
  const r = spawnSync(tool, plan.args, { stdio: "inherit" });
  if (r.status !== 0) throw new CliError(`alkyvm flash: ${shellLine(plan.tool, plan.args)} failed (exit ${r.status ?? r.signal})`);
  return 0;
}
