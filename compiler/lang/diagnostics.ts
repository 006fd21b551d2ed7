// Every message the Alkyl front end can report, in one table with stable codes
// (E01xx lexical, E02xx syntax, E03xx names and declarations, E04xx types,
// E05xx statements and functions, E06xx device profile, E07xx image limits,
// E08xx Aryl scripts and node calls, E09xx internal). Codes never change meaning; a retired code is not reused.
// `{0}`, `{1}`... are replaced by the report's arguments.

export const MESSAGES = {
  E0101: "unexpected character '{0}'",
  E0102: "unterminated string literal",
  E0103: "unterminated character literal",
  E0104: "unknown escape sequence '\\{0}'",
  E0105: "a character literal holds exactly one character",
  E0106: "integer literal '{0}' is larger than 256 bits",
  E0107: "invalid integer literal '{0}'",
  E0108: "unterminated comment",
  E0109: "character literal '{0}' is not a single byte (use '\\xNN')",

  E0201: "expected {0}, found {1}",
  E0202: "expected an expression, found {0}",
  E0203: "expected a type, found {0}",
  E0204: "expected a global variable or a function, found {0}",
  E0205: "'{0}' is not allowed here",
  E0206: "only 'char*' pointers exist in Alkyl; use an array or 'char*'",

  E0301: "unknown name '{0}'",
  E0302: "'{0}' is already defined",
  E0303: "there is no global variable named '{0}'",
  E0304: "unknown function '{0}'",
  E0305: "'{0}' is not a function",
  E0306: "'{0}' is a function, not a variable",
  E0307: "persistent variable '{0}' cannot have an initialiser (storage starts at zero when the app is installed)",
  E0308: "const variable '{0}' needs an initialiser",
  E0309: "the initialiser of global '{0}' must be a constant expression",
  E0310: "array size must be a constant expression",
  E0311: "array size {0} is out of range (1 to 65535)",
  E0312: "'{0}' is the name of a built-in function",
  E0313: "a variable cannot have type 'void'",
  E0314: "too many initialisers: array '{0}' has {1} element(s)",
  E0315: "string of {0} byte(s) (with its NUL) does not fit array '{1}' of {2}",
  E0316: "array '{0}' needs a size or an initialiser",
  E0317: "an array needs a '{ ... }' initialiser{0}",
  E0318: "a '{ ... }' initialiser is only for arrays",

  E0401: "cannot convert '{0}' to '{1}'",
  E0402: "narrowing conversion from '{0}' to '{1}' needs a cast",
  E0403: "constant {0} does not fit in '{1}'",
  E0404: "operands '{0}' and '{1}' mix signed and unsigned values of the same width; add a cast",
  E0405: "operator '{0}' cannot be applied to '{1}'",
  E0406: "cannot assign to const '{0}'",
  E0407: "the left side of '{0}' is not assignable",
  E0408: "cannot cast '{0}' to '{1}'",
  E0409: "a condition must be 'bool' or an integer, not '{0}'",
  E0410: "cannot index a value of type '{0}'",
  E0411: "an index must be an integer, not '{0}'",
  E0412: "'{0}' takes {1} argument(s), {2} given",
  E0413: "'{0}' returns nothing; its call has no value",
  E0414: "arrays cannot be assigned, passed or returned as a whole",
  E0415: "index {0} is out of bounds for array '{1}' of {2} element(s)",
  E0416: "persistent array '{0}' lives in storage and cannot be used as a 'char*'",
  E0417: "constant expression overflows 256 bits",
  E0418: "constant {0} does not fit in any integer type",
  E0419: "operator '{0}' cannot be applied to '{1}' and '{2}'",
  E0420: "arithmetic on 'char*' is not supported; index the string instead",

  E0501: "'break' outside a loop",
  E0502: "'continue' outside a loop",
  E0503: "function '{0}' must return a '{1}' on every path",
  E0504: "void function '{0}' cannot return a value",
  E0505: "function '{0}' must return a value of type '{1}'",
  E0506: "function '{0}' has local array '{1}' but is recursive ({2}); local arrays are statically allocated, so such a function must not call itself",

  E0601: "unknown syscall '{0}' for profile {1}",
  E0602: "unknown event '{0}' for profile {1}",
  E0603: "deviceevent '{0}' must take ({1}) as event {0} of profile {2} does, not ({3})",
  E0604: "deviceevent '{0}' must return void",
  E0605: "SystemCall needs the name of a syscall first",
  E0606: "syscall '{0}' takes {1} argument(s), {2} given",
  E0607: "array parameters are only allowed for the strings of public functions ('char {0}[N]')",
  E0608: "string buffer capacity {0} is out of range (2 to 255)",
  E0609: "public function '{0}' cannot return a string",
  E0610: "a parameter cannot have type '{0}'",
  E0611: "a function cannot return '{0}'",

  E0701: "function '{0}' needs {1} bytes of locals and temporaries; a frame holds 256 bytes at most",
  E0702: "the app needs {0} bytes of {1}, more than the 65535 an image can address",
  E0703: "the app has {0} functions; an image holds 255 at most",
  E0704: "the app's code is {0} bytes; an image holds 65535 at most",
  E0705: "function name '{0}' is longer than 63 characters",
  E0706: "function '{0}' has {1} parameters and locals; a function holds 255 at most",
  E0707: "the app uses {0} syscalls; an image holds 255 imports at most",

  E0801: "unknown contract event '{0}'{1}",
  E0802: "handler 'On {0}' takes {1} parameter(s), contract event {0} has {2}",
  E0803: "parameter '{0}' is '{1}', but contract event {2} passes '{3}' (declare it '{4}')",
  E0804: "ABI type '{0}' of '{1}' has no Aryl type (supported: uintN, intN, bool, string, address)",
  E0805: "unknown device function '{0}' (the device apps' public functions: {1})",
  E0806: "device function '{0}' has different parameters in {1} ({2}) and {3} ({4})",
  E0807: "unknown contract function '{0}'{1}",
  E0808: "contract function '{0}' returns {1} values; Aryl reads functions with at most one",
  E0809: "not a device: call device functions on a 'for each' variable or on device(\"name\")",
  E0810: "unknown built-in '{0}' (Aryl has block.number and block.timestamp)",
  E0811: "'for each' walks 'devices' or 'group(\"name\")'",
  E0812: "'{0}' is a device, not a value; call one of its functions ({0}.Name(...))",
  E0813: "'{0}' makes an import name of {1} characters; 63 at most",
  E0814: "'{0}' is only allowed in {1}",
  E0815: "node function '{0}' cannot return a string",
  E0901: "internal compiler error: {0}",
} as const;

export type DiagnosticCode = keyof typeof MESSAGES;

/** A source range: byte offsets into the source text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A reported error with a 1-based position (the CLI and the golden files print these). */
export interface Diagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
  length: number;
  message: string;
}

/** Errors reported after this many are dropped: later ones are mostly consequences. */
export const MAX_DIAGNOSTICS = 20;

export function formatMessage(code: DiagnosticCode, args: readonly (string | number | bigint)[]): string {
  return MESSAGES[code].replace(/\{(\d)\}/g, (_, i: string) => String(args[Number(i)] ?? ""));
}

/** Collects the errors of one compilation, keyed to source offsets. */
export class DiagnosticBag {
  private readonly items: { code: DiagnosticCode; span: Span; message: string }[] = [];

  report(code: DiagnosticCode, span: Span, ...args: (string | number | bigint)[]): void {
    if (this.items.length >= MAX_DIAGNOSTICS) return;
    this.items.push({ code, span, message: formatMessage(code, args) });
  }

  get count(): number {
    return this.items.length;
  }

  /** Diagnostics in source order (stable for reports at the same offset). */
  toDiagnostics(source: string, file: string): Diagnostic[] {
    const lineStarts = [0];
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const sorted = this.items.map((d, i) => ({ d, i })).sort((a, b) => a.d.span.start - b.d.span.start || a.i - b.i);
    return sorted.map(({ d }) => {
      const start = Math.max(0, Math.min(d.span.start, source.length));
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= start) lo = mid;
        else hi = mid - 1;
      }
      return {
        code: d.code,
        file,
        line: lo + 1,
        column: start - lineStarts[lo]! + 1,
        length: Math.max(1, d.span.end - start),
        message: d.message,
      };
    });
  }
}

/**
 * `file:line:col: error: message`, then the source line and a caret under the
 * range (`^~~~`), clipped to the end of that line. Tabs in the source line are
 * kept in the marker's indentation so the caret lines up in any tab width.
 */
export function formatDiagnostic(d: Diagnostic, source: string): string {
  const lines = source.split("\n");
  const text = (lines[d.line - 1] ?? "").replace(/\r$/, "");
  const head = `${d.file}:${d.line}:${d.column}: error: ${d.message}`;
  const col = Math.min(d.column - 1, text.length);
  const indent = text.slice(0, col).replace(/[^\t]/g, " ");
  const len = Math.max(1, Math.min(d.length, text.length - col));
  return `${head}\n${text}\n${indent}^${"~".repeat(len - 1)}`;
}
