import { describe, expect, it } from "vitest";
import { parseInvocation } from "../../compiler/run/literals.js";
import { parseStepsFile } from "../../compiler/run/steps.js";

describe("step arguments", () => {
  it("reads decimal, negative and hex integers", () => {
    const r = parseInvocation("F(12, -3, 0xff, -0x10)");
    expect(r.ok && r.value.args.map((a) => (a.kind === "int" ? a.value : null))).toEqual([12n, -3n, 255n, -16n]);
  });

  it("reads booleans, chars with escapes and strings with commas", () => {
    const r = parseInvocation(`F(true, 'a', '\\n', '\\x41', "a, \\"b\\"")`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.args.map((a) => a.kind)).toEqual(["bool", "char", "char", "char", "string"]);
    expect(r.value.args[2]!.value).toBe(10);
    expect(r.value.args[3]!.value).toBe(0x41);
    expect(Buffer.from(r.value.args[4]!.value as Uint8Array).toString()).toBe('a, "b"');
  });

  it("accepts a name without parentheses as a call with no arguments", () => {
    const r = parseInvocation("Tick");
    expect(r.ok && r.value).toEqual({ name: "Tick", args: [] });
  });

  it("rejects an unterminated string with a message", () => {
    const r = parseInvocation('F("abc)');
    expect(r).toEqual({ ok: false, message: "unterminated string literal" });
  });

  it("rejects an unreadable argument naming it", () => {
    const r = parseInvocation("F(1.5)");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain("'1.5'");
  });

  it("rejects empty arguments", () => {
    expect(parseInvocation("F(1,,2)").ok).toBe(false);
  });
});

describe("steps files", () => {
  it("reads call, event and time lines and skips comments", () => {
    const r = parseStepsFile("# demo\ntime 5\ncall SetPin(\"1\", 2)\n\nevent KeyPressed('1')\n", "d.steps");
    expect(r).toEqual({
      ok: true,
      steps: [
        { kind: "time", seconds: 5 },
        { kind: "call", text: 'SetPin("1", 2)' },
        { kind: "event", text: "KeyPressed('1')" },
      ],
    });
  });

  it("names the file and line of a bad step", () => {
    const r = parseStepsFile("time 1\njump Foo()\n", "d.steps");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^d\.steps:2: /);
  });

  it("rejects a time that is not Unix seconds", () => {
    const r = parseStepsFile("time -1\n", "d.steps");
    expect(!r.ok && r.message).toMatch(/^d\.steps:1: time must be/);
  });
});
