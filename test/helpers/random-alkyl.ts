// Random well-typed Alkyl: expressions over every operator and width, for
// differential tests (folded vs computed in test/lang, reference VM vs the C
// VM in test/vm-c). Every operand is cast to the expression's type, so any mix
// of widths type-checks.

import fc from "fast-check";

export const TYPES = ["uint8_t", "int8_t", "uint16_t", "int16_t", "uint32_t", "int32_t", "uint64_t", "int64_t", "uint256_t", "int256_t", "char"];
export const PARAMS: [string, string][] = [
  ["a", "uint8_t"],
  ["b", "int16_t"],
  ["c", "uint32_t"],
  ["d", "int64_t"],
  ["e", "uint256_t"],
];
const BIN = ["+", "-", "*", "/", "%", "&", "|", "^"];
const CMP = ["<", "<=", ">", ">=", "==", "!="];

/** An expression of type `t` (every operand cast to `t`, so any mix of widths type-checks). */
export function expr(t: string, depth: number, types: readonly string[] = TYPES): fc.Arbitrary<string> {
  const params = types === TYPES ? PARAMS : PARAMS.filter(([, ty]) => types.includes(ty));
  const leaf = fc.oneof(
    fc.constantFrom(...params.map(([n]) => `(${t})${n}`)),
    fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map((v) => `(${t})(${v})`),
  );
  if (depth <= 0) return leaf;
  const sub = () => expr(t, depth - 1, types);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 4, arbitrary: fc.tuple(sub(), fc.constantFrom(...BIN), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 2, arbitrary: fc.tuple(sub(), fc.constantFrom("<<", ">>"), expr("uint8_t", depth - 1, types)).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 2, arbitrary: fc.tuple(sub(), fc.constantFrom(...CMP), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 1, arbitrary: fc.tuple(sub(), fc.constantFrom("&&", "||"), sub()).map(([l, op, r]) => `(${t})(${l} ${op} ${r})`) },
    { weight: 1, arbitrary: fc.tuple(sub(), sub(), sub()).map(([c, x, y]) => `(${c} ? ${x} : ${y})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("-", "~", "!"), sub()).map(([op, x]) => `(${t})(${op}${x})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("addmod", "mulmod"), sub(), sub(), sub()).map(([f, x, y, z]) => `${f}(${x}, ${y}, ${z})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("exp", "signextend", "byte"), sub(), sub()).map(([f, x, y]) => `${f}(${x}, ${y})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...types), fc.nat({ max: 1000 })).chain(([u]) => expr(u, depth - 1, types).map((x) => `(${t})${x}`)) },
  );
}

/** Values for PARAMS, in their ranges. */
export const args = fc.tuple(
  fc.bigInt({ min: 0n, max: 255n }),
  fc.bigInt({ min: -(1n << 15n), max: (1n << 15n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
);


/** The test profile's output syscall for each type. */
const OUT: Record<string, string> = {
  uint8_t: "Out8", int8_t: "OutI8", uint16_t: "Out16", int16_t: "OutI16", uint32_t: "Out32", int32_t: "OutI32",
  uint64_t: "Out64", int64_t: "OutI64", uint256_t: "Out256", int256_t: "OutI256", char: "OutChar",
};

export interface RandomProgram {
  source: string;
  /** Argument literals of the one public function, `run`. */
  call: string;
}

/**
 * A whole app for the test profile: a global, a public function `run` over
 * PARAMS with a bounded loop, a branch, output syscalls at several widths and
 * a result. `types` restricts the widths (a board without 64/256-bit).
 */
export function program(types: readonly string[] = TYPES): fc.Arbitrary<RandomProgram> {
  const params = PARAMS.filter(([, ty]) => types.includes(ty));
  const typed = (depth: number) => fc.constantFrom(...types).chain((t) => expr(t, depth, types).map((e) => [t, e] as const));
  return fc
    .record({
      result: typed(2),
      step: typed(2),
      test: typed(1),
      outs: fc.array(typed(2), { minLength: 1, maxLength: 3 }),
      rounds: fc.integer({ min: 0, max: 4 }),
      values: args,
    })
    .map(({ result: [t, init], step: [st, step], test: [ct, test], outs, rounds, values }) => {
      const body = [
        `  ${t} acc = ${init};`,
        `  for (uint8_t i = 0; i < ${rounds}; i++) {`,
        `    acc = (${t})(acc + (${t})(${step}) + (${t})i);`,
        `    if ((${ct})(${test}) > (${ct})acc) { SystemCall(${OUT[t]}, acc); } else { g = (${st})(g ^ (${st})acc); }`,
        `  }`,
        ...outs.map(([ot, e]) => `  SystemCall(${OUT[ot]}, ${e});`),
        `  SystemCall(${OUT[st]}, g);`,
        `  return acc;`,
      ];
      const source = [`${st} g;`, `public ${t} run(${params.map(([n, ty]) => `${ty} ${n}`).join(", ")}) {`, ...body, `}`].join("\n") + "\n";
      const call = `run(${params.map(([n]) => values[PARAMS.findIndex(([m]) => m === n)]!.toString()).join(", ")})`;
      return { source, call };
    });
}
