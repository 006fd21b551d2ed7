// Typed TypeScript bindings for an app's or an Aryl script's entry points
// (`alkyvm compile --emit ts`, docs/aryl.md §2): an interface with one typed
// method per public function, a function that binds it to any way of calling
// the app by name (ArylScript.callPublic, a device link), and the parameter
// types of the events it handles. Written with ts-morph.

import { IndentationText, Project, QuoteKind, VariableDeclarationKind } from "ts-morph";
import { ValueKind, typeName, type ValueType } from "../ir/types.js";

export interface EntrySignature {
  name: string;
  /** `public`: callable by name; `event`: a device event or, for a script, a contract event it handles. */
  kind: "public" | "event";
  params: { name: string; type: ValueType }[];
  result: ValueType | undefined;
}

export interface BindingsInput {
  /** The source file name, for the header and the interface names. */
  source: string;
  profile: string;
  entries: readonly EntrySignature[];
}

/** How a value of this type is seen from TypeScript (as the Aryl runner's ScriptValue). */
function tsType(t: ValueType | undefined): string {
  if (t === undefined) return "void";
  if (t.kind === ValueKind.Bool) return "boolean";
  if (t.kind === ValueKind.String) return "string";
  return "bigint";
}

/** `rental.aryl` → `Rental`, `smart-lock.alkyl` → `SmartLock`. */
export function bindingBaseName(source: string): string {
  const base = source.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
  const name = base
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return /^[A-Za-z]/.test(name) ? name : `App${name}`;
}

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private " +
    "protected public static yield await invoke").split(" "),
);

/** A parameter name usable in TypeScript (and not shadowing `invoke`). */
function paramName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

function signatureDoc(e: EntrySignature): string {
  const params = e.params.map((p) => `${typeName(p.type)} ${p.name}`).join(", ");
  return `${e.name}(${params})${e.result ? ` -> ${typeName(e.result)}` : ""}`;
}

/** The bindings module's text. */
export function emitTsBindings(input: BindingsInput): string {
  const base = bindingBaseName(input.source);
  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double } });
  const file = project.createSourceFile(`${base}.ts`, "");
  const publics = input.entries.filter((e) => e.kind === "public");
  const events = input.entries.filter((e) => e.kind === "event");

  file.addTypeAlias({
    name: "Value",
    isExported: true,
    type: "bigint | boolean | string",
    docs: ["A value crossing the boundary: integers (and chars) as bigint, booleans, strings."],
  });
  file.addTypeAlias({
    name: "Invoke",
    isExported: true,
    type: "(name: string, args: Value[]) => Promise<Value | undefined>",
    docs: ["Calls a public function by name, e.g. `(name, args) => script.callPublic(name, args, host)`."],
  });
  file.addInterface({
    name: `${base}Public`,
    isExported: true,
    docs: [`The public functions of ${input.source}.`],
    methods: publics.map((e) => ({
      name: e.name,
      docs: [signatureDoc(e)],
      parameters: e.params.map((p) => ({ name: paramName(p.name), type: tsType(p.type) })),
      returnType: `Promise<${tsType(e.result)}>`,
    })),
  });
  file.addFunction({
    name: `bind${base}`,
    isExported: true,
    docs: [`Typed calls of ${input.source}'s public functions through \`invoke\`.`],
    parameters: [{ name: "invoke", type: "Invoke" }],
    returnType: `${base}Public`,
    statements: (w) => {
      w.write("return ").inlineBlock(() => {
        for (const e of publics) {
          const names = e.params.map((p) => paramName(p.name));
          const call = `invoke(${JSON.stringify(e.name)}, [${names.join(", ")}])`;
          const body = e.result === undefined ? `{ await ${call}; }` : `(await ${call}) as ${tsType(e.result)}`;
          w.writeLine(`${e.name}: async (${names.join(", ")}) => ${body},`);
        }
      });
      w.write(";");
    },
  });
  file.addInterface({
    name: `${base}Events`,
    isExported: true,
    docs: [`The events ${input.source} handles, with their arguments.`],
    properties: events.map((e) => ({
      name: e.name,
      docs: [signatureDoc(e)],
      type: `{ ${e.params.map((p) => `${paramName(p.name)}: ${tsType(p.type)}`).join("; ")}${e.params.length > 0 ? " " : ""}}`,
    })),
  });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Names of the events handled, in the image's order."],
    declarations: [{ name: "eventNames", initializer: `[${events.map((e) => JSON.stringify(e.name)).join(", ")}] as const` }],
  });
  file.formatText({ indentSize: 2 });
  return `// Generated by \`alkyvm compile --emit ts\` from ${input.source} (profile ${input.profile}); do not edit.\n\n${file.getFullText()}`;
}
