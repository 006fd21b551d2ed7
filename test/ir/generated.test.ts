// Generated outputs must match their sources: a stale docs table fails here.
// Fix a failure with `npm run gen` and commit the result.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { OPCODES } from "../../compiler/ir/opcodes.js";
import { generatedRegion, renderOpcodeDocTable, writeGenerated } from "../../scripts/gen.js";

const IR_DOC = fileURLToPath(new URL("../../docs/ir.md", import.meta.url));

describe("docs/ir.md opcode table", () => {
  it("is what `npm run gen` renders from compiler/ir/opcodes.ts now", () => {
    expect(generatedRegion(readFileSync(IR_DOC, "utf8"), "opcodes")).toBe(renderOpcodeDocTable());
  });

  it("covers every opcode byte of the table, each in exactly one row", () => {
    const rows = renderOpcodeDocTable()
      .split("\n")
      .filter((l) => l.startsWith("| `0x"));
    const covered: number[] = [];
    for (const row of rows) {
      const bytes = [...row.split("|")[1]!.matchAll(/0x([0-9a-f]{2})/g)].map((m) => parseInt(m[1]!, 16));
      const [from, to] = [bytes[0]!, bytes[bytes.length - 1]!];
      for (let b = from; b <= to; b++) covered.push(b);
    }
    expect(covered).toEqual(OPCODES.map((o) => o.byte));
  });
});

describe("writeGenerated", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function tempFile(text: string): string {
    dir = mkdtempSync(join(tmpdir(), "alkyvm-gen-"));
    const file = join(dir, "x.h");
    writeFileSync(file, text);
    return file;
  }

  it("replaces only the lines between the markers, whatever their comment syntax", () => {
    const file = tempFile("keep 1\n/* BEGIN GENERATED: ops */\nold\nlines\n/* END GENERATED: ops */\nkeep 2\n");
    expect(writeGenerated(file, "ops", "new")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("keep 1\n/* BEGIN GENERATED: ops */\nnew\n/* END GENERATED: ops */\nkeep 2\n");
  });

  it("leaves a file whose region is up to date untouched", () => {
    const file = tempFile("<!-- BEGIN GENERATED: t -->\nsame\n<!-- END GENERATED: t -->\n");
    const before = statSync(file).mtimeMs;
    expect(writeGenerated(file, "t", "same\n")).toBe(false);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});

describe("every generated output", () => {
  it("is up to date with its source table (run `npm run gen` to fix)", async () => {
    const { TARGETS, repositoryRoot } = await import("../../scripts/gen.js");
    for (const target of TARGETS) {
      const text = readFileSync(join(repositoryRoot(), target.file), "utf8");
      const current = target.marker === undefined ? text : generatedRegion(text, target.marker);
      expect(current, target.file).toBe(target.render());
    }
  });
});
