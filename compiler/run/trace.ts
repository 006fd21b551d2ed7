// Trace lines: the observable behaviour of a run, identical on every engine.

export type TraceLine =
  | { effect: "syscall"; name: string; args: string[] }
  /** A node call; `answer` is the value (undefined for a void function's acknowledgement), unless it failed. */
  | { effect: "nodecall"; name: string; args: string[]; failed: boolean; answer: string | undefined }
  | { effect: "return"; value: string }
  | { effect: "error"; kind: string; message: string };

export function formatTraceLine(line: TraceLine): string {
  switch (line.effect) {
    case "syscall":
      return `syscall ${line.name}(${line.args.join(", ")})`;
    case "nodecall":
      return `nodecall ${line.name}(${line.args.join(", ")})${line.failed ? " -> failed" : line.answer === undefined ? "" : ` -> ${line.answer}`}`;
    case "return":
      return `return ${line.value}`;
    case "error":
      return `error ${line.kind}: ${line.message}`;
  }
}

/** The JSON-lines form: the structured fields plus the text line. */
export function traceLineJson(line: TraceLine): string {
  return JSON.stringify({ ...line, line: formatTraceLine(line) });
}
