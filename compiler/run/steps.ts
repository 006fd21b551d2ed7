// Steps of `alkyvm run`: call a public function, raise a device event, set the
// clock, say how the node answers node calls.

export type Step =
  | { kind: "call"; text: string }
  | { kind: "event"; text: string }
  | { kind: "time"; seconds: number }
  /** From here on, node calls of `name` get `value` (a literal's text; undefined: acknowledged, for a void function) or fail. */
  | { kind: "answer"; name: string; value: string | undefined; fails: boolean };

export type StepsResult = { ok: true; steps: Step[] } | { ok: false; message: string };

export function parseTime(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n <= 0xffffffff ? n : undefined;
}

/** `Name = value`, `Name` or `Name fails` (the text after `answer`); undefined if it is none of them. */
export function parseAnswer(text: string): Extract<Step, { kind: "answer" }> | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(\S.*?)|\s(fails))?\s*$/.exec(text.trim());
  if (!m) return undefined;
  return { kind: "answer", name: m[1]!, value: m[2], fails: m[3] !== undefined };
}

const EXPECTED = "expected 'call Name(args)', 'event Name(args)', 'time T' or 'answer Name[ = value| fails]'";

/** Parses a steps file: one step per line (`call Name(args)`, `event Name(args)`, `time T`, `answer ...`); `#` starts a comment line. */
export function parseStepsFile(content: string, file: string): StepsResult {
  const steps: Step[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(call|event|time|answer)\s+(.*)$/.exec(line);
    if (!m) return { ok: false, message: `${file}:${i + 1}: ${EXPECTED}, got '${line}'` };
    if (m[1] === "time") {
      const t = parseTime(m[2]!);
      if (t === undefined) return { ok: false, message: `${file}:${i + 1}: time must be Unix seconds (0..4294967295), got '${m[2]}'` };
      steps.push({ kind: "time", seconds: t });
    } else if (m[1] === "answer") {
      const a = parseAnswer(m[2]!);
      if (!a) return { ok: false, message: `${file}:${i + 1}: expected 'answer Name = value', 'answer Name' or 'answer Name fails', got '${line}'` };
      steps.push(a);
    } else steps.push({ kind: m[1] as "call" | "event", text: m[2]! });
  }
  return { ok: true, steps };
}
