// `alkyvm run` as the node: --answer options interleaved with calls, their
// usage errors, and the JSON form of a node-call trace line.

import { beforeAll, describe, expect, it } from "vitest";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";

const APP = "test/conformance/node_calls.alkyl";

beforeAll(() => ensureBuilt(), 180_000);

describe("alkyvm run --answer", () => {
  it("answers node calls from the --answer options in order with the other steps", () => {
    const r = alkyvm(["run", APP, "--call", "Buy(2)", "--answer", "Price = 5", "--call", "Buy(2)", "--answer", "Price fails", "--call", "Buy(3)"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "syscall Out32(2)",
        "nodecall Price(2) -> failed",
        "error trap: node call Price got no answer",
        "syscall Out32(2)",
        "nodecall Price(2) -> 5",
        "syscall Out32(5)",
        "return 5",
        "syscall Out32(3)",
        "nodecall Price(3) -> failed",
        "error trap: node call Price got no answer",
        "",
      ].join("\n"),
    );
    expect(r.status).toBe(0);
  });

  it("prints a node call as a JSON line with --json", () => {
    const r = alkyvm(["run", APP, "--json", "--answer", "Report", "--answer", "Log", "--answer", "Offset = 7", "--call", "Alarm(1)"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").slice(0, 3).map((l) => JSON.parse(l))).toEqual([
      { effect: "nodecall", name: "Report", args: ["1", "false"], failed: false, line: "nodecall Report(1, false)" },
      { effect: "nodecall", name: "Log", args: ['"alarm"'], failed: false, line: 'nodecall Log("alarm")' },
      { effect: "nodecall", name: "Offset", args: ["'a'", "-5"], failed: false, answer: "7", line: "nodecall Offset('a', -5) -> 7" },
    ]);
  });

  it("refuses a malformed --answer with a usage error naming it (exit 2)", () => {
    const r = alkyvm(["run", APP, "--answer", "Price 5", "--call", "Buy(1)"]);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe("alkyvm: --answer needs 'Name = value', 'Name' or 'Name fails', got 'Price 5' (see alkyvm --help)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(2);
  });
});
