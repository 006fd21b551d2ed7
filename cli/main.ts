// The `alkyvm` command: a thin layer over the compiler, IR tools and engines.

import { randomInt } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { emitC } from "../compiler/aot/emit-c.js";
import { assemble } from "../compiler/ir/asm.js";
import { disassemble } from "../compiler/ir/disasm.js";
import { decodeImage } from "../compiler/ir/image.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import { PROFILES } from "../compiler/profiles/profiles.js";
import { BACKENDS, backendByName, type App, type Backend } from "../compiler/run/backends.js";
import { LinkError } from "../compiler/link/client.js";
import { LINK_FAULTS, parseFaultSpec, type FaultProxyOptions, type LinkFaultCounts } from "../compiler/link/fault-proxy.js";
import { LinkEngine } from "../compiler/run/link-engine.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import { NodeAnswers, runSteps } from "../compiler/run/session.js";
import { parseAnswer, parseStepsFile, parseTime, type Step } from "../compiler/run/steps.js";
import { formatTraceLine, traceLineJson } from "../compiler/run/trace.js";
import { readAbiFile } from "./abi-file.js";
import { compileArylFile, compileFile, isArylFile, loadApp, loadAppOption, profileOption } from "./app.js";
import { onePositional, optionValue, parseArgs, UsageError } from "./args.js";
import { CliError, readInput, readTextInput, writeAtomically } from "./files.js";
import { cmdTestDevice } from "./test-device.js";
import { cmdFirmware } from "./firmware.js";
import { cmdFlash } from "./flash.js";
import { cmdDevices } from "./devices.js";
import { cmdKeys, KEYS_USAGE, linkKeyOption } from "./keys.js";
import { cmdMonitor } from "./monitor.js";
import { ARYL_USAGE, cmdAryl } from "./aryl.js";
import { cmdDemo, DEMO_USAGE } from "./demo.js";
import { cmdBench } from "./bench.js";
import { cmdExtract, cmdFuse } from "./fuse.js";

const HELP = `alkyvm — the AlkyVM toolchain

usage:
  ${DEMO_USAGE}
  alkyvm compile <app.alkyl> [--profile P] [-o out.alk] [--emit image|asm|c|ts]   (c: the app as C, docs/aot.md; ts: typed bindings)
  alkyvm compile <script.aryl> [--abi C.abi.json] [--app <app.alkyl[@profile]|app.alk>]... [-o out.alk] [--emit image|asm|ts]
        an Aryl script, checked against the contract's ABI and the device apps it calls (docs/aryl.md §2)
  alkyvm disasm <app.alk>
  alkyvm asm <app.asm> [-o out.alk]
  alkyvm verify <app.alk> [--profile P]
  alkyvm run <app.alkyl|app.alk> [--profile P] [--backend B] [--fuel N] [--json] [--size] [--faults SPEC [--seed N]] STEP...
        STEP: --call 'Name(args)'  --event 'Name(args)'  --time <unix seconds>  --steps <file>
              --answer 'Name = value' | 'Name' | 'Name fails'   (how the node answers node calls to Name from then on)
        B: ${BACKENDS.map((b) => b.name).join(", ")} (default ts), serial:<path>[@baud] (a device on a serial port, 115200 baud by default),
           tcp:<host>:<port> (a Linux board's firmware listening there);
           --size prints the firmware's flash and RAM use; --key env:NAME|file:PATH seals the link with that device key (c, avr, serial, tcp)
        --faults flip=R,truncate=R,drop=R,duplicate=R,reorder=R,delay=R,all=R,delay-ms=N: the link through a fault-injection
           proxy (rates 0..1 per frame, seeded by --seed or at random; seed and counts on stderr; docs/link.md §4.6)
  alkyvm test-device --port <path>[@baud] [--json]   runs the conformance corpus on the device on that port
  alkyvm firmware --board <id> [--app <app> --aot] [--profile P] [--key env:NAME|file:PATH] [-o dir] [--json]   renders the board's link-device firmware (with the profile's drivers, the app compiled ahead of time, the device's link key) as a PlatformIO project and builds it
  alkyvm flash --board <id> [--port <path>] [-d dir] [--dry-run]   writes the firmware built in dir onto the board (avrdude, mspdebug or pio)
  alkyvm devices [--port <path>[@baud]]... [--json]   lists serial ports and the AlkyVM boards that answer HELLO on them
  alkyvm monitor --port <path>[@baud] [--hello] [--count N] [--seconds S] [--json]   prints the link frames arriving on a port, decoded
  alkyvm bench --board uno|lpmsp430g2553 [--json] [--kernel K[,K...]] [--chart out.svg]   native vs AOT vs interpreter cycles of bench/kernels/ (docs/performance.md)
  alkyvm fuse --contract <C.sol> [--name C] [--aryl <script.aryl|.alk>] [--app <app.alkyl[@profile]|app.alk>]... -o <dir>
        compiles the contract with solc and embeds the images in its deployed code (docs/aryl.md §4)
  alkyvm extract --rpc <url> --address <0x…> [--json] [-o dir]   prints (and saves) the images embedded in a deployed contract
  alkyvm profiles
  ${KEYS_USAGE}
  ${ARYL_USAGE}

Arguments: decimal or 0x hex integers (negative allowed), true/false, 'c', "string".
Exit codes: 0 success, 1 error in the input, 2 usage error.`;

function out(line: string): void {
  process.stdout.write(line + "\n");
}

function defaultOutput(input: string, ext: string): string {
  return join(dirname(input), basename(input).replace(/\.[^.]*$/, "") + ext);
}

async function cmdCompile(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { valued: ["--profile", "-o", "--emit", "--abi", "--app"], flags: [] });
  const input = onePositional(args, "source file");
  const emit = optionValue(args, "--emit") ?? "image";
  if (emit !== "image" && emit !== "asm" && emit !== "c" && emit !== "ts") throw new UsageError(`--emit must be image, asm, c or ts, got '${emit}'`);
  const aryl = isArylFile(input);
  if (!aryl && (optionValue(args, "--abi") !== undefined || optionValue(args, "--app") !== undefined)) throw new UsageError("--abi and --app are for Aryl scripts (.aryl)");
  if (aryl && (optionValue(args, "--profile") !== undefined || emit === "c")) throw new UsageError("an Aryl script has the aryl profile and runs on the node: no --profile, no --emit c");
  const profile = profileOption(optionValue(args, "--profile")) ?? PROFILES.find((p) => p.name === "test")!;
  const abiPath = optionValue(args, "--abi");
  const app = aryl
    ? compileArylFile(input, abiPath === undefined ? undefined : readAbiFile(abiPath), args.options.filter((o) => o.name === "--app").map((o) => loadAppOption(o.value)))
    : compileFile(input, profile);
  const output = optionValue(args, "-o");
  if (emit === "ts") {
    // ts-morph is large: loaded only for this.
    const { emitTsBindings } = await import("../compiler/bindings/emit-ts.js");
    const text = emitTsBindings({ source: basename(input), profile: app.profile.name, entries: app.entries ?? [] });
    if (output === "-") process.stdout.write(text);
    else writeAtomically(output ?? defaultOutput(input, ".ts"), text);
    return;
  }
  if (emit === "c") {
    const c = emitC(app.bytes, { source: basename(input) });
    if (!c.ok) throw new CliError(`${input}: ${c.message}`);
    if (output === "-") process.stdout.write(c.text);
    else writeAtomically(output ?? defaultOutput(input, ".c"), c.text);
    return;
  }
  if (emit === "asm") {
    const text = disassemble(app.image);
    if (output === undefined || output === "-") process.stdout.write(text);
    else writeAtomically(output, text);
    return;
  }
  writeAtomically(output ?? defaultOutput(input, ".alk"), app.bytes);
}

function cmdDisasm(argv: string[]): void {
  const args = parseArgs(argv, { valued: [], flags: [] });
  const input = onePositional(args, "image file");
  const decoded = decodeImage(new Uint8Array(readInput(input)));
  if (!decoded.ok) throw new CliError(`${input}: not a valid image: offset ${decoded.error.offset}: ${decoded.error.rule}: ${decoded.error.message}`);
  process.stdout.write(disassemble(decoded.value.image));
}

function cmdAsm(argv: string[]): void {
  const args = parseArgs(argv, { valued: ["-o"], flags: [] });
  const input = onePositional(args, "assembly file");
  const result = assemble(readTextInput(input));
  if (!result.ok) throw new CliError(result.errors.map((e) => `${input}:${e.line}:${e.column}: error: ${e.message}`).join("\n"));
  writeAtomically(optionValue(args, "-o") ?? defaultOutput(input, ".alk"), result.bytes);
}

function cmdVerify(argv: string[]): void {
  const args = parseArgs(argv, { valued: ["--profile"], flags: [] });
  const input = onePositional(args, "image file");
  const profile = profileOption(optionValue(args, "--profile"));
  const v = verifyImage(new Uint8Array(readInput(input)), profile ? { profile } : {});
  if (!v.ok) throw new CliError(`${input}: ${formatVerifyError(v.error)}`);
  out(`${input}: ok`);
}

function answerOption(text: string): Step {
  const a = parseAnswer(text);
  if (!a) throw new UsageError(`--answer needs 'Name = value', 'Name' or 'Name fails', got '${text}'`);
  return a;
}

function collectSteps(args: ReturnType<typeof parseArgs>): Step[] {
  const steps: Step[] = [];
  for (const o of args.options) {
    if (o.name === "--call") steps.push({ kind: "call", text: o.value });
    else if (o.name === "--event") steps.push({ kind: "event", text: o.value });
    else if (o.name === "--answer") steps.push(answerOption(o.value));
    else if (o.name === "--time") {
      const t = parseTime(o.value);
      if (t === undefined) throw new UsageError(`--time needs Unix seconds (0..4294967295), got '${o.value}'`);
      steps.push({ kind: "time", seconds: t });
    } else if (o.name === "--steps") {
      const parsed = parseStepsFile(readTextInput(o.value), o.value);
      if (!parsed.ok) throw new CliError(parsed.message);
      steps.push(...parsed.steps);
    }
  }
  return steps;
}

function parseFuel(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 0xffffffff) throw new UsageError(`--fuel needs a positive integer, got '${text}'`);
  return Number(text);
}

/** --faults and --seed: the proxy's options, or undefined without --faults. */
function parseFaults(spec: string | undefined, seedText: string | undefined, backend: Backend): FaultProxyOptions | undefined {
  if (spec === undefined) {
    if (seedText !== undefined) throw new UsageError(`--seed goes with --faults`);
    return undefined;
  }
  if (!backend.board && !backend.name.includes(":")) throw new UsageError(`--faults needs a link backend (c, avr, msp430, serial:, tcp:), not '${backend.name}'`);
  const parsed = parseFaultSpec(spec);
  if (!parsed.ok) throw new UsageError(`--faults: ${parsed.reason}`);
  if (seedText !== undefined && (!/^\d+$/.test(seedText) || Number(seedText) > 0xffffffff)) throw new UsageError(`--seed needs an integer 0..4294967295, got '${seedText}'`);
  const seed = seedText === undefined ? randomInt(0, 2 ** 32 - 1) : Number(seedText);
  return { rates: parsed.rates, seed, ...(parsed.maxDelayMs === undefined ? {} : { maxDelayMs: parsed.maxDelayMs }) };
}

function faultLine(c: LinkFaultCounts): string {
  return `${c.frames} frames, ${LINK_FAULTS.map((k) => `${k} ${c[k]}`).join(", ")}`;
}

function sizeLine(backend: Backend, app: App, linkKey: Uint8Array | undefined): string {
  const board = backend.board;
  if (!backend.firmwareSize || !board?.budget) throw new UsageError(`--size needs a board backend (${BACKENDS.filter((b) => b.firmwareSize).map((b) => b.name).join(", ")}), not '${backend.name}'`);
  const size = backend.firmwareSize(app, linkKey ? { linkKey } : {});
  const verdict = size.flash <= board.budget.flash && size.ram <= board.budget.ram ? "within budget" : "OVER BUDGET";
  return `${board.id}: flash ${size.flash} bytes (budget ${board.budget.flash}, chip ${board.flashBytes}), static RAM ${size.ram} bytes (budget ${board.budget.ram}, chip ${board.ramBytes}): ${verdict}`;
}

async function cmdRun(argv: string[]): Promise<void> {
  const args = parseArgs(argv, {
    valued: ["--profile", "--backend", "--fuel", "--call", "--event", "--time", "--steps", "--answer", "--key", "--faults", "--seed"],
    flags: ["--json", "--size"],
  });
  const linkKey = linkKeyOption(args);
  const input = onePositional(args, "app file");
  const backendName = optionValue(args, "--backend") ?? "ts";
  const backend = backendByName(backendName);
  if (!backend) throw new UsageError(`unknown backend '${backendName}' (available: ${BACKENDS.map((b) => b.name).join(", ")}, serial:<path>[@baud], tcp:<host>:<port>)`);
  const fuel = parseFuel(optionValue(args, "--fuel"));
  const faults = parseFaults(optionValue(args, "--faults"), optionValue(args, "--seed"), backend);
  const steps = collectSteps(args);
  const app = loadApp(input, optionValue(args, "--profile"));
  const json = args.flags.has("--json");
  try {
    if (args.flags.has("--size")) out(sizeLine(backend, app, linkKey));
    const answers = new NodeAnswers(app.image);
    if (faults) process.stderr.write(`alkyvm: link faults ${optionValue(args, "--faults")}, seed ${faults.seed}\n`);
    const engine = await backend.open(app, { ...(fuel === undefined ? {} : { fuel }), ...(faults ? { faults } : {}), answerNodeCall: answers.answer, ...(linkKey ? { linkKey } : {}) });
    try {
      await runSteps(app.image, app.profile, engine, steps, (line) => out(json ? traceLineJson(line) : formatTraceLine(line)), answers);
    } finally {
      const counts = engine instanceof LinkEngine ? engine.faultCounts() : undefined;
      if (counts) process.stderr.write(`alkyvm: link faults: to device ${faultLine(counts.toDevice)}; to node ${faultLine(counts.toNode)}; requests sent again ${counts.resent}\n`);
      await engine.close();
    }
  } catch (e) {
    if (e instanceof LinkError || e instanceof BoardEmulationError) throw new CliError(`alkyvm: backend ${backend.name}: ${e.message.split("\n")[0]}`);
    throw e;
  }
}

function cmdProfiles(): void {
  for (const p of PROFILES) {
    out(`${p.name} (id ${p.id}): ${p.doc}`);
    for (const e of p.events) out(`  event ${e.name}(${e.params.map((q) => q.name).join(", ")})`);
    for (const s of p.syscalls) out(`  syscall ${s.name}(${s.params.map((q) => q.name).join(", ")})${s.result ? " -> value" : ""}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "compile":
        await cmdCompile(rest);
        break;
      case "disasm":
        cmdDisasm(rest);
        break;
      case "asm":
        cmdAsm(rest);
        break;
      case "verify":
        cmdVerify(rest);
        break;
      case "run":
        await cmdRun(rest);
        break;
      case "profiles":
        cmdProfiles();
        break;
      case "firmware":
        cmdFirmware(rest, out);
        break;
      case "flash":
        return cmdFlash(rest, out);
      case "devices":
        return await cmdDevices(rest, out);
      case "keys":
        cmdKeys(rest, out);
        break;
      case "monitor":
        return await cmdMonitor(rest, out);
      case "bench":
        cmdBench(rest, out, (line) => process.stderr.write(line + "\n"));
        break;
      case "fuse":
        cmdFuse(rest, out);
        break;
      case "extract":
        await cmdExtract(rest, out);
        break;
      case "aryl":
        await cmdAryl(rest);
        break;
      case "demo":
        return await cmdDemo(rest, out);
      case "test-device":
        return await cmdTestDevice(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`alkyvm: ${e.message} (see alkyvm --help)\n`);
      return 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`alkyvm: internal error: ${err.message}${process.env.ALKYVM_DEBUG ? `\n${err.stack}` : ""}\n`);
    return 70;
  }
}
