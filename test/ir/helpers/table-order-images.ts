// Images that break several rules of the function and import tables, each with
// the rule the verifiers report first: the tables are checked in one walk,
// each entry completely (structure, type features, entry and profile rules)
// before the next (docs/ir.md §5 "Which error is reported"). Used by
// test/ir/verify.test.ts and, against the C verifier, by
// test/vm-c/verifier-agreement.test.ts.

import { FunctionKind } from "../../../compiler/ir/image.js";
import { build, code, fn, functionEntry, importEntry, nodecall, patched, syscall, typesStart } from "./image-builder.js";

export interface OrderCase {
  name: string;
  bytes: Uint8Array;
  /** Device profile id the verdict is for (the test profile, 1, unless given). */
  profile: number;
  rule: string;
  offset: number;
}

const stop = () => code("STOP");

export function tableOrderCases(): OrderCase[] {
  const out: OrderCase[] = [];
  const add = (name: string, bytes: Uint8Array, rule: string, offset: number, profile = 1) => out.push({ name, bytes, profile, rule, offset });

  // Function 0's entry rule (an event handler's result) before function 1's kind.
  const twoFns = build({
    functions: [fn({ kind: FunctionKind.Event, name: "Tick", result: "uint8", code: code("INVALID") }), fn({ name: "G", code: stop() })],
  });
  add("function 0's entry rule before function 1's structure", patched(twoFns, functionEntry(1), 3), "entry", functionEntry(0) + 4);

  // A local's feature where it is read, before the frame size.
  const wide = build({ functions: [fn({ kind: FunctionKind.Helper, locals: ["uint8", "int64"], code: code("INVALID") })] });
  add("a local's feature before the frame size", patched(wide, functionEntry(0) + 6, 1), "feature", typesStart(wide) + 1);

  // The result's feature before the reserved byte.
  const wideResult = build({ functions: [fn({ kind: FunctionKind.Helper, result: "uint64", code: code("INVALID") })] });
  add("the result's feature before the reserved byte", patched(wideResult, functionEntry(0) + 5, 1), "feature", functionEntry(0) + 4);

  // The profile id before any table entry.
  add("the profile id before the function table", patched(twoFns, functionEntry(1), 3), "profile", 6, 2);

  // A function's duplicate name (entry) before the code section check.
  const dup = build({ data: [0], memorySize: 4, functions: [fn({ name: "F", code: stop() }), fn({ name: "F", code: stop() })] });
  add("a duplicate name before the code outside every function", patched(dup, 16, 0, 0, 3, 0), "entry", functionEntry(1) + 16);

  // Every function before the imports: function 0's event against the profile, then import 0's kind.
  const withImport = build({
    imports: [syscall(0, "Out8", ["uint8"])],
    functions: [fn({ kind: FunctionKind.Event, eventId: 9, name: "E", code: stop() })],
  });
  add("the function table before the import table", patched(withImport, importEntry(1, 0), 2), "entry", functionEntry(0) + 1);

  // An import's name before its parameter types (and their features).
  const wideImport = build({ imports: [syscall(3, "Out64", ["uint64"])], functions: [fn({ code: stop() })] });
  add("an import's name before its parameters' features", patched(wideImport, importEntry(1, 0) + 6, 0xff), "name", importEntry(1, 0) + 6);

  // An import's result type before its name.
  add("an import's result type before its name", patched(wideImport, importEntry(1, 0) + 3, 0x77, 0, 0, 0xff), "type", importEntry(1, 0) + 3);

  // Against the profile: the syscall's parameter types, then its result, then its name.
  const out8 = build({ imports: [syscall(0, "Out9", ["uint16"], "uint8")], functions: [fn({ code: stop() })] });
  add("a syscall's parameter types before its result and name", out8, "profile", typesStart(out8));
  const out8r = build({ imports: [syscall(0, "Out9", ["uint8"], "uint8")], functions: [fn({ code: stop() })] });
  add("a syscall's result before its name", out8r, "profile", importEntry(1, 0) + 3);

  // An import's name before the node-call feature.
  const ask = build({ imports: [nodecall("Ask")], functions: [fn({ code: stop() })] });
  add("an import's name before the node-call feature", patched(ask, importEntry(1, 0) + 6, 0xff), "name", importEntry(1, 0) + 6);

  // An event handler's string parameter (entry) before a public function's string buffer after it.
  const strings = build({
    memorySize: 16,
    functions: [
      fn({ kind: FunctionKind.Event, eventId: 2, name: "Key", params: ["string"], code: stop() }),
      fn({ name: "P", params: ["string"], stringBuffers: [{ address: 10, capacity: 8 }], code: stop() }),
    ],
  });
  add("an event handler's string parameter before a later string buffer", strings, "entry", functionEntry(2)); // no imports: the types follow the function table
  return out;
}
