// Differential test of the lowering: random expressions over all operators
// and widths are compiled twice, once over parameters (computed by IR code on
// the reference VM) and once over const locals (folded by the checker with
// the IR's own arithmetic). The two results must be equal.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Device } from "./helpers.js";

const TYPES = ["uint8_t", "int8_t", "uint16_t", "int16_t", "uint32_t", "int32_t", "uint64_t", "int64_t", "uint256_t", "int256_t", "char"];
const PARAMS: [string, string][] = [
  ["a", "uint8_t"],
  ["b", "int16_t"],
  ["c", "uint32_t"],
  ["d", "int64_t"],
  ["e", "uint256_t"],
];
const BIN = ["+", "-", "*", "/", "%", "&", "|", "^"];
const CMP = ["<", "<=", ">", ">=", "==", "!="];

/** An expression of type `t` (every operand cast to `t`, so any mix of widths type-checks). */
function expr(t: string, depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.constantFrom(...PARAMS.map(([n]) => `(${t})${n}`)),
    fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map((v) => `(${t})(${v})`),
  );
  if (depth <= 0) return leaf;
  const sub = () => expr(t, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 4, arbitrary: fc.tuple(sub(), fc.constantFrom(...BIN), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 2, arbitrary: fc.tuple(sub(), fc.constantFrom("<<", ">>"), expr("uint8_t", depth - 1)).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 2, arbitrary: fc.tuple(sub(), fc.constantFrom(...CMP), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 1, arbitrary: fc.tuple(sub(), fc.constantFrom("&&", "||"), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 1, arbitrary: fc.tuple(sub(), sub(), sub()).map(([c, x, y]) => `(${c} ? ${x} : ${y})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("-", "~", "!"), sub()).map(([op, x]) => `(${t})(${op}${x})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("addmod", "mulmod"), sub(), sub(), sub()).map(([f, x, y, z]) => `${f}(${x}, ${y}, ${z})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("exp", "signextend", "byte"), sub(), sub()).map(([f, x, y]) => `${f}(${x}, ${y})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TYPES), fc.nat({ max: 1000 })).chain(([u]) => expr(u, depth - 1).map((x) => `(${t})${x}`)) },
  );
}

const args = fc.tuple(
  fc.bigInt({ min: 0n, max: 255n }),
  fc.bigInt({ min: -(1n << 15n), max: (1n << 15n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
);

describe("folded and computed expressions agree", () => {
  it("on random expressions of every width", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES).chain((t) => fc.tuple(fc.constant(t), expr(t, 3), args)),
        ([t, e, values]) => {
          const params = PARAMS.map(([n, ty]) => `${ty} ${n}`).join(", ");
          const consts = PARAMS.map(([n, ty], i) => `const ${ty} ${n} = ${values[i]};`).join(" ");
          const d = Device.of(`public ${t} run(${params}) { return ${e}; }\npublic ${t} fold() { ${consts} return ${e}; }`);
          const raw = values.map((v, i) => BigInt.asUintN([8, 16, 32, 64, 256][i]!, v));
          expect(d.value("run", ...raw)).toBe(d.value("fold"));
        },
      ),
      { numRuns: 150 },
    );
  });
});
