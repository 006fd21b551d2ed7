// `alkyvm firmware`: a PlatformIO project a user can build with `pio run`,
// built here with the Debian toolchain from the project's own files; its
// firmware is a working link device; regenerating keeps the user's edits.

import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { LinkClient } from "../../compiler/link/client.js";
import { BOARDS } from "../../compiler/link/messages.js";
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

function generate(dir: string): { status: number; stdout: string; stderr: string; json: Record<string, unknown> } {
  const r = alkyvm(["firmware", "--board", "uno", "-o", dir, "--json"]);
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

describe("alkyvm firmware: bad input", () => {
  it("exits 2 on an unknown board or a missing --board", () => {
    expect(alkyvm(["firmware", "--board", "toaster"]).status).toBe(2);
    expect(alkyvm(["firmware"]).status).toBe(2);
  });

  it("names what the LaunchPad still lacks in one line, exit 1", () => {
    const r = alkyvm(["firmware", "--board", "lpmsp430g2553", "-o", join(mkdtempSync(join(tmpdir(), "alkyvm-fw-")), "x")]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/UART driver/);
  });
});
