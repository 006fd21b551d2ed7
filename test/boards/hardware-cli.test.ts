// The commands for real boards: `alkyvm flash` (the programmer's command
// line, checked with --dry-run, and its one-line errors), `alkyvm devices`
// and `alkyvm monitor` against the emulated Uno on a pseudo-terminal.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardById } from "../../boards/boards.js";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { buildProject, renderProject } from "../../compiler/firmware/project.js";
import { alkyvm, ensureBuilt, ROOT } from "../helpers/cli.js";

const root = mkdtempSync(join(tmpdir(), "alkyvm-flash-"));
const unoDir = join(root, "uno");
const lpDir = join(root, "lp");
let board: SimavrProcess & { ptyPath: string };

beforeAll(async () => {
  ensureBuilt();
  for (const [id, dir] of [["uno", unoDir], ["lpmsp430g2553", lpDir]] as const) {
    const b = boardById(id)!;
    buildProject(b, renderProject(b, dir));
  }
  const sim = await SimavrProcess.start(buildUnoDevice().elf, { pty: true, wallTimeoutMs: 300_000 });
  board = sim as SimavrProcess & { ptyPath: string };
}, 300_000);

afterAll(async () => {
  await board?.close();
});

describe("alkyvm flash", () => {
  it("runs avrdude through the Uno's boot loader on the port (--dry-run prints the command)", () => {
    const r = alkyvm(["flash", "--board", "uno", "--port", "/dev/ttyACM0", "-d", unoDir, "--dry-run"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`avrdude -p m328p -c arduino -P /dev/ttyACM0 -b 115200 -D -U flash:w:${unoDir}/.alkyvm/firmware.hex:i\n`);
    expect(r.status).toBe(0);
  });

  it("runs mspdebug with the LaunchPad's rf2500 programmer on the ELF", () => {
    const r = alkyvm(["flash", "--board", "lpmsp430g2553", "-d", lpDir, "--dry-run"]);
    expect(r.stdout).toBe(`mspdebug -q rf2500 'prog ${lpDir}/.alkyvm/firmware.elf'\n`);
    expect(r.status).toBe(0);
  });

  it("a missing tool is one line naming the Debian package, exit 1", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "alkyvm.js"), "flash", "--board", "uno", "--port", "/dev/ttyACM0", "-d", unoDir], {
      encoding: "utf8",
      env: { ...process.env, PATH: join(root, "no-tools") },
    });
    expect(r.stderr).toBe("alkyvm flash: avrdude (Debian avrdude) is not installed: run scripts/setup.sh\n");
    expect(r.status).toBe(1);
  });

  it("a missing port, a missing --port or a project not built yet is one line, exit 1", () => {
    const missing = alkyvm(["flash", "--board", "uno", "--port", "/dev/ttyNOSUCH", "-d", unoDir]);
    expect(missing.stderr).toBe("alkyvm flash: no serial port /dev/ttyNOSUCH (is the board plugged in?)\n");
    expect(missing.status).toBe(1);
    const noPort = alkyvm(["flash", "--board", "uno", "-d", unoDir]);
    expect(noPort.stderr).toBe("alkyvm flash: --port is required for board 'uno' (its serial port, e.g. /dev/ttyACM0)\n");
    const notBuilt = alkyvm(["flash", "--board", "uno", "--port", "/dev/ttyACM0", "-d", join(root, "nothing")]);
    expect(notBuilt.stderr).toBe(`alkyvm flash: no firmware at ${join(root, "nothing")}/.alkyvm/firmware.hex: run alkyvm firmware --board uno -o ${join(root, "nothing")} first\n`);
    expect(notBuilt.status).toBe(1);
  });

  it("says a Linux board has nothing to flash", () => {
    const r = alkyvm(["flash", "--board", "raspberrypi", "-d", join(root, "pi")]);
    expect(r.stderr).toMatch(/^alkyvm flash: board 'raspberrypi' runs a Linux program, nothing to flash/);
    expect(r.status).toBe(1);
  });
});

describe("alkyvm devices and alkyvm monitor on the emulated Uno's pty", () => {
  it("devices finds the Uno answering HELLO on the port, and reports a port that is not there", () => {
    const r = alkyvm(["devices", "--port", board.ptyPath, "--port", "/dev/ttyNOSUCH@9600"]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${board.ptyPath}: uno at 115200 baud, no app`);
    expect(lines[1]).toBe("/dev/ttyNOSUCH: no serial port /dev/ttyNOSUCH (is the board plugged in?)");
    expect(r.status).toBe(0);
  });

  it("devices --json prints one object per port", () => {
    const r = alkyvm(["devices", "--port", `${board.ptyPath}@115200`, "--json"]);
    expect(JSON.parse(r.stdout.trim())).toEqual({ port: board.ptyPath, baud: 115200, board: "uno", profile: 0, appLength: 0 });
  });

  it("monitor --hello shows the device's HELLO_REPLY decoded, field by field", () => {
    const r = alkyvm(["monitor", "--port", board.ptyPath, "--hello", "--count", "1", "--seconds", "20"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^seq \d+ HELLO_REPLY linkVersion=1 imageVersion=1 vmVersion=\d+ board=uno .*appLength=0 appCrc=0 droppedFrames=\d+ rxFloor=\d+\n$/);
    expect(r.status).toBe(0);
  });

  it("monitor --json prints the frame as an object; a bad --count is a usage error", () => {
    const r = alkyvm(["monitor", "--port", board.ptyPath, "--hello", "--count", "1", "--seconds", "20", "--json"]);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ seq: expect.any(Number), message: "HELLO_REPLY", fields: { board: 2, linkVersion: 1 } });
    expect(alkyvm(["monitor", "--port", board.ptyPath, "--count", "many"]).status).toBe(2);
  });
});
