// `alkyvm firmware --board <id> [--app app.alkyl --aot] [--profile P] [--key REF] [-o dir] [--json]`:
// renders the board's link-device firmware (with the profile's drivers, and
// the app compiled ahead of time, when asked) as a PlatformIO project and
// builds it.

import { boardById, BOARDS } from "../boards/boards.js";
import { DRIVER_PROFILES, type DriverProfile } from "../compiler/firmware/board-firmware.js";
import { buildProject, renderProject, sizeProblem } from "../compiler/firmware/project.js";
import { emitC } from "../compiler/aot/emit-c.js";
import { basename } from "node:path";
import { loadApp } from "./app.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError } from "./files.js";
import { linkKeyOption } from "./keys.js";

export function cmdFirmware(argv: string[], out: (line: string) => void): void {
  const args = parseArgs(argv, { valued: ["--board", "-o", "--profile", "--app", "--key"], flags: ["--json", "--aot"] });
  const linkKey = linkKeyOption(args);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const id = optionValue(args, "--board");
  if (id === undefined) throw new UsageError(`--board is required (${BOARDS.map((b) => b.id).join(", ")})`);
  const board = boardById(id);
  if (!board) throw new UsageError(`unknown board '${id}' (known: ${BOARDS.map((b) => b.id).join(", ")})`);
  const profile = optionValue(args, "--profile");
  const appPath = optionValue(args, "--app");
  const withDrivers = profile !== undefined && (DRIVER_PROFILES as readonly string[]).includes(profile);
  if (profile !== undefined && !withDrivers && appPath === undefined) {
    throw new UsageError(`--profile: no drivers for profile '${profile}' (drivers exist for: ${DRIVER_PROFILES.join(", ")})`);
  }
  if (appPath !== undefined && !args.flags.has("--aot")) {
    throw new UsageError("--app needs --aot (the app compiled into the firmware); to install an app, load it over the link (alkyvm run --backend serial:<port>)");
  }
  if (args.flags.has("--aot") && appPath === undefined) throw new UsageError("--aot needs --app <app.alkyl|app.alk>");
  let aotAppC: string | undefined;
  if (appPath !== undefined) {
    const app = loadApp(appPath, profile);
    const c = emitC(app.bytes, { source: basename(appPath) });
    if (!c.ok) throw new CliError(`${appPath}: ${c.message}`);
    aotAppC = c.text;
  }
  const dir = optionValue(args, "-o") ?? `firmware-${board.id}${profile ? `-${profile}` : ""}`;
  try {
    const project = renderProject(board, dir, {
      ...(withDrivers ? { profile: profile as DriverProfile } : {}),
      ...(aotAppC === undefined ? {} : { aotAppC }),
      ...(linkKey ? { linkKey } : {}),
    });
    const built = buildProject(board, project);
    const flashMax = board.flashBytes;
    const ramMax = board.ramBytes;
    const json = args.flags.has("--json");
    if (!json) {
      out(`${project.dir}: ${project.written.length} file${project.written.length === 1 ? "" : "s"} written, built with ${built.builtWith}`);
      if (flashMax !== undefined && ramMax !== undefined) {
        out(`flash ${built.size.flash} of ${flashMax} bytes, static RAM ${built.size.ram} of ${ramMax} bytes (interpreter budget ${board.budget!.flash} / ${board.budget!.ram})`);
      } else {
        out(`program ${built.size.flash} bytes of code and constants, static RAM ${built.size.ram} bytes (a Linux program: no chip limits)`);
      }
      out(`elf ${built.elf}`);
      if (built.hex) out(`hex ${built.hex}`);
    }
    const problem = sizeProblem(board, built.size);
    if (problem) throw new CliError(`alkyvm: ${problem}`);
    if (json) {
      out(
        JSON.stringify({
          board: board.id,
          flash: built.size.flash,
          flash_max: flashMax ?? null,
          ram: built.size.ram,
          ram_max: ramMax ?? null,
          elf: built.elf,
          hex: built.hex ?? null,
        }),
      );
    }
  } catch (e) {
    if (e instanceof BoardEmulationError) throw new CliError(`alkyvm firmware: ${e.message.split("\n")[0]}`);
    throw e;
  }
}
