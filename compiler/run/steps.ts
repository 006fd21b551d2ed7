// Steps of `alkyvm run`: call a public function, raise a device event, set the clock.

export type Step =
  | { kind: "call"; text: string }
  | { kind: "event"; text: string }
  | { kind: "time"; seconds: number };

export type StepsResult = { ok: true; steps: Step[] } | { ok: false; message: string };

export function parseTime(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n <= 0xffffffff ? n : undefined;
}

/** Parses a steps file: one step per line (`call Name(args)`, `event Name(args)`, `time T`); `#` starts a comment line. */
export function parseStepsFile(content: string, file: string): StepsResult {
  const steps: Step[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(call|event|time)\s+(.*)$/.exec(line);
    if (!m) return { ok: false, message: `${file}:${i + 1}: expected 'call Name(args)', 'event Name(args)' or 'time T', got '${line}'` };
    if (m[1] === "time") {
      const t = parseTime(m[2]!);
      if (t === undefined) return { ok: false, message: `${file}:${i + 1}: time must be Unix seconds (0..4294967295), got '${m[2]}'` };
      steps.push({ kind: "time", seconds: t });
    } else steps.push({ kind: m[1] as "call" | "event", text: m[2]! });
  }
  return { ok: true, steps };
}
