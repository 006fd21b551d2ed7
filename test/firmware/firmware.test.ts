// `alkyvm firmware`: a PlatformIO project a user can build with `pio run`,
// built here with the Debian toolchain from the project's own files; its
// firmware is a working link device; regenerating keeps the user's edits.

import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { findTool } from "../../compiler/engines/firmware-build.js";
import { linuxProgramCommand } from "../../compiler/firmware/linux-program.js";
import { sizeProblem } from "../../compiler/firmware/project.js";
import { boardById } from "../../boards/boards.js";
import { LinkClient } from "../../compiler/link/client.js";
import { BOARDS } from "../../compiler/link/messages.js";
import { compileAlkyl } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";

beforeAll(() => ensureBuilt(), 120_000);

/** The sections and keys of an ini file. */
function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let lastKey = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/;.*$/, "");
    if (/^\s*$/.test(line)) continue;
    const section = /^\[(.+)\]\s*$/.exec(line);
    if (section) sections.set(section[1]!, (current = new Map()));
    else if (/^\s+\S/.test(line) && current) current.set(lastKey, `${current.get(lastKey)}\n${line.trim()}`.trim());
    else {
      const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (kv && current) current.set((lastKey = kv[1]!), kv[2]!);
    }
  }
  return sections;
}

function generate(dir: string, board = "uno", extra: string[] = []): { status: number; stdout: string; stderr: string; json: Record<string, unknown> } {
  const r = alkyvm(["firmware", "--board", board, "-o", dir, "--json", ...extra]);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return { ...r, json: r.status === 0 ? (JSON.parse(last) as Record<string, unknown>) : {} };
}

const sims: SimavrProcess[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe("alkyvm firmware --board uno (run scripts/setup.sh if a toolchain is missing)", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "lock-uno");

  it("renders and builds the project, printing one JSON object with the sizes against the chip", () => {
    const r = generate(dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Object.keys(r.json)).toEqual(["board", "flash", "flash_max", "ram", "ram_max", "elf", "hex"]);
    expect(r.json).toMatchObject({ board: "uno", flash_max: 32768, ram_max: 2048 });
    expect(r.json.flash as number).toBeGreaterThan(4096);
    expect(r.json.flash as number).toBeLessThanOrEqual(32768);
    expect(r.json.ram as number).toBeLessThanOrEqual(1024);
    const hex = readFileSync(r.json.hex as string, "utf8").trim().split("\n");
    expect(hex.every((l) => /^:[0-9A-F]+\r?$/.test(l))).toBe(true);
    expect(hex.at(-1)!.trim()).toBe(":00000001FF");
  });

  it("lays the project out for PlatformIO: platformio.ini with the Uno environment, the VM as a library", () => {
    const ini = parseIni(readFileSync(join(dir, "platformio.ini"), "utf8"));
    const env = ini.get("env:uno")!;
    expect(env.get("platform")).toBe("atmelavr");
    expect(env.get("board")).toBe("uno");
    expect(env.get("monitor_speed")).toBe("115200");
    expect(env.get("build_flags")).toContain(`-DALKY_CONFIG_HEADER='"config/uno.h"'`);
    const library = JSON.parse(readFileSync(join(dir, "lib", "alkyvm", "library.json"), "utf8")) as { name: string; platforms: string[]; build: { srcDir: string } };
    expect(library).toMatchObject({ name: "alkyvm", platforms: ["atmelavr"], build: { srcDir: "src" } });
    for (const f of ["lib/alkyvm/src/vm.c", "lib/alkyvm/src/verify.c", "lib/alkyvm/src/generated/alky_opcodes.h", "lib/alkyvm/src/config/uno.h", "src/main.c", "src/uart.c"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
  });

  it("builds a firmware that answers HELLO as an Uno over its UART", async () => {
    const sim = await SimavrProcess.start(join(dir, ".alkyvm", "firmware.elf"), { wallTimeoutMs: 30_000 });
    sims.push(sim);
    const hello = await new LinkClient(sim, { timeoutMs: 10_000 }).hello();
    expect(hello.board).toBe(BOARDS.find((b) => b.name === "uno")!.code);
  });

  it("keeps the user's edits outside the generated blocks when it regenerates, and rewrites nothing unchanged", () => {
    appendFileSync(join(dir, "platformio.ini"), "\n[env:uno_debug]\nextends = env:uno\nbuild_type = debug\n");
    const main = join(dir, "src", "main.c");
    writeFileSync(main, `/* my board notes */\n${readFileSync(main, "utf8")}`);
    const ini = readFileSync(join(dir, "platformio.ini"), "utf8");
    writeFileSync(join(dir, "platformio.ini"), ini.replace("board = uno", "board = nano"));
    const r = alkyvm(["firmware", "--board", "uno", "-o", dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* files? written/); // at least platformio.ini's generated block put back
    const after = readFileSync(join(dir, "platformio.ini"), "utf8");
    expect(parseIni(after).get("env:uno")!.get("board")).toBe("uno");
    expect(parseIni(after).get("env:uno_debug")!.get("build_type")).toBe("debug");
    expect(readFileSync(main, "utf8").startsWith("/* my board notes */\n")).toBe(true);
    expect(alkyvm(["firmware", "--board", "uno", "-o", dir]).stdout).toMatch(/0 files written/);
  });
});

describe("the size check against the chip", () => {
  it("names the board and both numbers when flash or RAM is over, and passes what fits", () => {
    const uno = boardById("uno")!;
    expect(sizeProblem(uno, { flash: 32768, ram: 2048 })).toBeUndefined();
    expect(sizeProblem(uno, { flash: 32769, ram: 100 })).toBe("the firmware does not fit the Arduino Uno (ATmega328P): flash 32769 of 32768 bytes, static RAM 100 of 2048 bytes");
    expect(sizeProblem(boardById("lpmsp430g2553")!, { flash: 1000, ram: 513 })).toMatch(/static RAM 513 of 512 bytes$/);
    expect(sizeProblem(boardById("raspberrypi")!, { flash: 1e9, ram: 1e9 })).toBeUndefined();
  });
});

describe("alkyvm firmware: bad input", () => {
  it("exits 2 on an unknown board or a missing --board", () => {
    expect(alkyvm(["firmware", "--board", "toaster"]).status).toBe(2);
    expect(alkyvm(["firmware"]).status).toBe(2);
  });

  it("--profile takes only a profile with drivers (usage error, exit 2); a board without them is one line, exit 1", () => {
    const none = alkyvm(["firmware", "--board", "uno", "--profile", "test"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no drivers for profile 'test' \(drivers exist for: smartlock\)/);
    const r = alkyvm(["firmware", "--board", "native", "--profile", "smartlock", "-o", join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "x")]);
    expect(r.stderr).toMatch(/^alkyvm firmware: the smartlock drivers are not written for board 'native' yet \(they exist for: [a-z0-9, ]+\)\n$/);
    expect(r.status).toBe(1);
  });

});

/** The address range an Intel HEX file writes (type 00 records, with type 02/04 base addresses). */
function hexRange(path: string): { low: number; high: number } {
  let base = 0;
  let low = Infinity;
  let high = 0;
  for (const line of readFileSync(path, "utf8").trim().split(/\r?\n/)) {
    const count = parseInt(line.slice(1, 3), 16);
    const addr = parseInt(line.slice(3, 7), 16);
    const type = parseInt(line.slice(7, 9), 16);
    if (type === 2) base = parseInt(line.slice(9, 13), 16) * 16;
    if (type === 4) base = parseInt(line.slice(9, 13), 16) * 65536;
    if (type === 0) {
      low = Math.min(low, base + addr);
      high = Math.max(high, base + addr + count);
    }
  }
  return { low, high };
}

describe("alkyvm firmware --board lpmsp430g2553: the LaunchPad's USCI_A0 UART firmware", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "lock-lp");

  it("builds with clang and ld.lld within the chip, with a HEX image of flash only", () => {
    const r = generate(dir, "lpmsp430g2553");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ board: "lpmsp430g2553", flash_max: 16384, ram_max: 512 });
    expect(r.json.flash as number).toBeGreaterThan(4096);
    expect(r.json.ram as number).toBeLessThanOrEqual(512 - 96);
    // Main flash 0xC000..0xFFFF, reset vector included.
    expect(hexRange(r.json.hex as string)).toEqual({ low: 0xc000, high: 0x10000 });
  });

  it("uses the UART at 16 MHz, not the simulator's mailbox, and lays out the PlatformIO project", () => {
    const env = parseIni(readFileSync(join(dir, "platformio.ini"), "utf8")).get("env:lpmsp430g2553")!;
    expect(env.get("platform")).toBe("timsp430");
    expect(env.get("board")).toBe("lpmsp430g2553");
    expect(env.get("upload_protocol")).toBe("rf2500");
    expect(env.get("monitor_speed")).toBe("9600");
    const flags = env.get("build_flags")!.split("\n");
    expect(flags).toContain("-DALKY_MCLK_HZ=16000000UL");
    expect(flags).toContain(`-DALKY_CONFIG_HEADER='"config/lpmsp430g2553.h"'`);
    expect(flags.some((f) => /ALKY_MSP430_SIM|MAILBOX/.test(f))).toBe(false);
    expect(existsSync(join(dir, "src", "uart.c"))).toBe(true);
    expect(existsSync(join(dir, "src", "mailbox.c"))).toBe(false);
    expect(existsSync(join(dir, "toolchain", "crt0.S"))).toBe(true);
    const library = JSON.parse(readFileSync(join(dir, "lib", "alkyvm", "library.json"), "utf8")) as { platforms: string[] };
    expect(library.platforms).toEqual(["timsp430"]);
  });

  it("links the USCI_A0 receive interrupt into its vector (0xFFEE)", () => {
    const elf = readFileSync(join(dir, ".alkyvm", "firmware.elf"));
    const hex = readFileSync(join(dir, ".alkyvm", "firmware.hex"), "utf8");
    // The vector table's record: 16 words from 0xFFE0; slot 7 is not the unexpected-interrupt stub at 0xC000.
    const record = hex.split(/\r?\n/).find((l) => l.startsWith(":10FFE000") || l.startsWith(":20FFE000"))!;
    const word = (i: number) => parseInt(record.slice(9 + 4 * i + 2, 9 + 4 * i + 4) + record.slice(9 + 4 * i, 9 + 4 * i + 2), 16);
    expect(word(0)).toBe(0xc000);
    expect(word(7)).not.toBe(0xc000);
    expect(elf.includes(Buffer.from("alky_uart_rx_isr"))).toBe(true);
  });
});

describe("alkyvm firmware --board uno --app lock.alkyl --profile smartlock --aot: the app compiled ahead of time into the firmware", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "uno-aot");

  it("puts the app's C and the AOT runtime into the project and builds it", () => {
    const r = generate(dir, "uno", ["--app", "examples/smartlock/lock.alkyl", "--profile", "smartlock", "--aot"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "src", "alkyvm_app.c"), "utf8")).toMatch(/KeyPressed/);
    expect(existsSync(join(dir, "lib", "alkyvm", "src", "aot", "aot.h"))).toBe(true);
    expect(parseIni(readFileSync(join(dir, "platformio.ini"), "utf8")).get("env:uno")!.get("build_flags")).toContain("-DALKY_DEVICE_CALL_RUN=alky_aot_call_run");
    expect(readFileSync(r.json.elf as string).includes(Buffer.from("alky_aot_call_run"))).toBe(true);
  });

  it("runs the smart lock on the emulated Uno: four KeyPressed events with the right PIN unlock", async () => {
    const sim = await SimavrProcess.start(join(dir, ".alkyvm", "firmware.elf"), { wallTimeoutMs: 60_000 });
    sims.push(sim);
    const profile = profileByName("smartlock")!;
    const app = compileAlkyl(readFileSync("examples/smartlock/lock.alkyl", "utf8"), "lock.alkyl", { profile });
    if (!app.ok) throw new Error("the smart lock app does not compile");
    const engine = await LinkEngine.open(sim, app.image, app.bytes, { timeoutMs: 30_000 });
    const fn = (name: string) => app.image.functions.findIndex((f) => f.name === name);
    expect(await engine.invoke(fn("SetPin"), [new TextEncoder().encode("1234"), 1_900_000_000])).toEqual([]);
    const effects = [];
    for (const key of "1234") effects.push(...(await engine.invoke(fn("KeyPressed"), [key.charCodeAt(0)])));
    expect(effects).toEqual([{ kind: "syscall", importIndex: app.image.imports.findIndex((i) => i.name === "Unlock"), args: [] }]);
  }, 120_000);

  it("--app without --aot, or --aot without --app, is a usage error", () => {
    expect(alkyvm(["firmware", "--board", "uno", "--app", "examples/smartlock/lock.alkyl"]).status).toBe(2);
    expect(alkyvm(["firmware", "--board", "uno", "--aot"]).status).toBe(2);
  });
});

describe("alkyvm firmware --board lpmsp430g2553 --profile smartlock: the LaunchPad's drivers (built; mspdebug's simulator has no pin model)", () => {
  it("builds within the chip with the keypad's Timer0_A interrupt and the UART's linked into their vectors", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "lp-lock");
    const r = generate(dir, "lpmsp430g2553", ["--profile", "smartlock"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.json.ram as number).toBeLessThanOrEqual(512 - 96);
    const pins = readFileSync(join(dir, "src", "smartlock_pins.h"), "utf8");
    expect(pins).toContain("#define ALKY_KEYPAD_ROW_PINS { ALKY_PIN(2, 0), ALKY_PIN(2, 1), ALKY_PIN(2, 2), ALKY_PIN(2, 3) }");
    expect(pins).toContain("#define ALKY_LOCK_PIN ALKY_PIN(1, 6)");
    const hex = readFileSync(join(dir, ".alkyvm", "firmware.hex"), "utf8").split(/\r?\n/);
    const vectors = [hex.find((l) => l.startsWith(":10FFE000"))!, hex.find((l) => l.startsWith(":10FFF000"))!].map((l) => l.slice(9, 41)).join("");
    const slot = (i: number) => parseInt(vectors.slice(4 * i + 2, 4 * i + 4) + vectors.slice(4 * i, 4 * i + 2), 16);
    expect(slot(7)).not.toBe(0xc000); // USCIAB0RX
    expect(slot(9)).not.toBe(0xc000); // TIMER0_A0: the keypad scan
    expect(slot(0)).toBe(0xc000);
  });
});

describe("alkyvm firmware --board raspberrypi --profile smartlock: GPIO through the Linux character device", () => {
  it("builds, takes its lines from boards.ts, and without a GPIO chip says so in one line, exit 2", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "pi-lock");
    const r = generate(dir, "raspberrypi", ["--profile", "smartlock"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const pins = readFileSync(join(dir, "src", "smartlock_pins.h"), "utf8");
    expect(pins).toContain('#define ALKY_GPIO_CHIP "/dev/gpiochip0"');
    expect(pins).toContain("#define ALKY_LOCK_PIN ALKY_GPIO_LINE(17)");
    if (existsSync("/dev/gpiochip0")) return; // a machine with GPIO: the program would take the lines
    const run = linuxProgramCommand(r.json.elf as string, []);
    const started = spawnSync(run.command, run.args, { encoding: "utf8", timeout: 20_000 });
    expect(started.stderr).toBe("alky_device: cannot use GPIO chip /dev/gpiochip0 (open): No such file or directory\n");
    expect(started.status).toBe(2);
  });
});

describe.each(["raspberrypi", "native"])("alkyvm firmware --board %s: the Linux program", (board) => {
  const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), board);

  it("builds an executable and prints null limits and no HEX in its JSON", () => {
    const r = generate(dir, board);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ board, flash_max: null, ram_max: null, hex: null });
    expect(r.json.flash as number).toBeGreaterThan(10_000);
    const help = linuxProgramCommand(r.json.elf as string, ["--help"]);
    const usage = spawnSync(help.command, help.args, { encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--serial PATH\[@BAUD\] \| --listen HOST:PORT/);
  });

  it("is an armhf program for the Pi when Debian's cross compiler is installed, else one for this host", () => {
    const elf = readFileSync(join(dir, ".alkyvm", "alky_device"));
    const armhf = board === "raspberrypi" && findTool("arm-linux-gnueabihf-gcc") !== undefined;
    expect(elf.readUInt16LE(18)).toBe(armhf ? 40 : process.arch === "x64" ? 62 : elf.readUInt16LE(18));
    expect(elf[4]).toBe(armhf ? 1 : elf[4]); // ELF32 on armhf
  });

  it("names the PlatformIO environment for Linux (linux_arm on the Pi: PlatformIO's raspberrypi platform is the RP2040)", () => {
    const env = parseIni(readFileSync(join(dir, "platformio.ini"), "utf8")).get(`env:${board}`)!;
    expect(env.get("platform")).toBe(board === "raspberrypi" ? "linux_arm" : "native");
    expect(env.get("board")).toBe(board === "raspberrypi" ? "raspberrypi_3b" : undefined);
    expect(env.get("build_flags")).toContain("-DALKY_HOST_LINK_FD=1");
    expect(existsSync(join(dir, "src", "link_fd.c"))).toBe(true);
    expect(existsSync(join(dir, "lib", "alkyvm", "src", "config", `${board}.h`))).toBe(true);
  });

  it("opening a serial device that is not there fails in one line, exit 2", () => {
    const run = linuxProgramCommand(join(dir, ".alkyvm", "alky_device"), ["--serial", "/dev/ttyNOSUCH@9600"]);
    const r = spawnSync(run.command, run.args, { encoding: "utf8" });
    expect(r.stderr).toBe("alky_device: cannot open serial device /dev/ttyNOSUCH at 9600 baud: No such file or directory\n");
    expect(r.status).toBe(2);
  });
});
