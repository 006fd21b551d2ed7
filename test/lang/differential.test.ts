// Differential test of the lowering: random expressions over all operators
// and widths are compiled twice, once over parameters (computed by IR code on
// the reference VM) and once over const locals (folded by the checker with
// the IR's own arithmetic). The two results must be equal.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { args, expr, PARAMS, TYPES } from "../helpers/random-alkyl.js";
import { Device } from "./helpers.js";

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
