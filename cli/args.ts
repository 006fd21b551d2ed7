// A small argument reader: commands need the order of repeated step options
// (--call/--event/--time interleave), which general-purpose parsers lose.

export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take a value, e.g. ["--profile", "-o"]. */
  valued: readonly string[];
  /** Options that are flags. */
  flags: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  /** Every valued option in command-line order. */
  options: { name: string; value: string }[];
  flags: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: [], flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (spec.flags.includes(name)) {
        if (eq > 0) throw new UsageError(`option ${name} takes no value`);
        out.flags.add(name);
      } else if (spec.valued.includes(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
        out.options.push({ name, value });
      } else throw new UsageError(`unknown option ${name}`);
    } else out.positionals.push(a);
  }
  return out;
}

/** The last value of an option, or undefined. */
export function optionValue(args: ParsedArgs, ...names: string[]): string | undefined {
  let v: string | undefined;
  for (const o of args.options) if (names.includes(o.name)) v = o.value;
  return v;
}

export function onePositional(args: ParsedArgs, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`expected exactly one ${what}, got ${args.positionals.length}`);
  return args.positionals[0]!;
}
