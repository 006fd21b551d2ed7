// Bad input everywhere (issue 7, item 6; docs/security.md "Bad input"): the
// real `alkyvm` command on each bad input exits non-zero with one line on
// stderr naming the problem and where, never a stack trace, and leaves no
// half-written output behind. One table, one row per input; the RPC rows talk
// to a small JSON-RPC server started here on 127.0.0.1 that answers each URL
// path its own wrong way.

import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeStore } from "../../aryl/store.js";
import { encodeContainer, imageHash } from "../../compiler/fusion/container.js";
import { alkyvmAsync, ensureBuilt, ROOT } from "../helpers/cli.js";
import { LOCK } from "../fusion/images.js";

const LOCK_SRC = join(ROOT, "examples/smartlock/lock.alkyl");
const VAULT_SOL = join(ROOT, "test/fusion/fixtures/Vault.sol");
const KEY = "ab".repeat(32);
const ADDRESS = "0x00000000000000000000000000000000000000a1";
const MiB = 1 << 20;

/** A good image with byte `at` replaced: the container's header fields sit at fixed offsets (docs/ir.md §6). */
function lockWith(at: number, value: number): Buffer {
  const b = Buffer.from(LOCK);
  b[at] = value;
  return b;
}

/** A fused contract's runtime code: a little EVM code, then a container holding the lock app, optionally corrupted. */
function fusedCode(corrupt: boolean): string {
  const container = Buffer.from(encodeContainer([{ kind: "alkyl", profile: "smartlock", bytes: LOCK, hash: imageHash(LOCK) }]));
  if (corrupt) container[40] ^= 0xff;
  return "0x6080604052" + container.toString("hex");
}

// What the test RPC server answers, by URL path.
type Answer = { raw: string; status?: number; type?: string } | { result: unknown } | { error: { code: number; message: string } } | "close";
const RPC_ANSWERS: Record<string, Answer> = {
  "/garbage": { raw: '{"jsonrpc":"2.0","id":1,"result":' },
  "/html": { raw: "<html><body>Welcome to nginx!</body></html>", type: "text/html" },
  "/http502": { raw: "<html><body>502 Bad Gateway</body></html>", status: 502, type: "text/html" },
  "/rpc-error": { error: { code: -32000, message: "header not found" } },
  "/close": "close",
  "/number": { result: 12345 },
  "/bad-hex": { result: "0xzz" },
  "/no-code": { result: "0x" },
  "/not-fused": { result: "0x6080604052348015600f57600080fd5b50" },
  "/corrupt-image": { result: fusedCode(true) },
  "/chain-1": { result: "0x1" },
  "/chain-31337": { result: "0x7a69" },
};

function startRpcServer(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const answer = RPC_ANSWERS[req.url ?? ""];
      if (answer === undefined || answer === "close") {
        req.socket.destroy();
        return;
      }
      if ("raw" in answer) {
        res.writeHead(answer.status ?? 200, { "content-type": answer.type ?? "application/json" });
        res.end(answer.raw);
        return;
      }
      const requests: unknown = JSON.parse(body);
      const one = (r: { id?: unknown }) => ({ jsonrpc: "2.0", id: r.id, ...answer });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(requests) ? requests.map(one) : one(requests as { id?: unknown })));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** A port nothing listens on: one the system gave out and took back. */
function closedPort(): Promise<number> {
  const s = createServer();
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => resolve(port));
  }));
}

let rpc = "";
let unreachable = "";
let server: Server | undefined;

beforeAll(async () => {
  ensureBuilt();
  server = await startRpcServer();
  rpc = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  unreachable = `http://127.0.0.1:${await closedPort()}`;
}, 180_000);

afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

interface Row {
  input: string;
  /** Files to create in the row's folder (its working directory). */
  files?: Record<string, string | Uint8Array>;
  args: () => string[];
  /** The one line on stderr (the row's folder is the working directory, so paths are as given). */
  stderr: RegExp;
  /** 2 for a usage error. */
  exit?: number;
  /** A compiler diagnostic: its first line is file:line:col, then the source line and a caret. */
  diagnostic?: boolean;
  /** Output the command would have written: it must not exist afterwards. */
  output?: string;
}

const GOOD_ABI = JSON.stringify([{ type: "event", name: "Paid", inputs: [{ name: "pin", type: "string", indexed: false }] }]);
const DEVICE = { name: "lock-1", transport: "emulated:uno", profile: "smartlock", key: "file:lock.key" };
const devices = (...entries: unknown[]): string => JSON.stringify({ devices: entries });

/** `alkyvm aryl` on the files of the row: the devices file and ABI are read before the chain. */
function aryl(url: () => string, devicesFile = "devices.json", abi = "abi.json"): () => string[] {
  return () => ["aryl", "--rpc", url(), "--contract", ADDRESS, "--abi", abi, "--devices", devicesFile, "--data", "data"];
}
const arylFiles = (devicesJson: string | Uint8Array, extra: Record<string, string | Uint8Array> = {}): Record<string, string | Uint8Array> => ({
  "abi.json": GOOD_ABI,
  "lock.key": KEY + "\n",
  "devices.json": devicesJson,
  ...extra,
});
const extract = (path: string) => () => ["extract", "--rpc", rpc + path, "--address", ADDRESS, "-o", "images"];

const ROWS: Row[] = [
  // Source files
  { input: "a missing source file", args: () => ["compile", "missing.alkyl", "-o", "out.alk"], stderr: /^missing\.alkyl: no such file$/, output: "out.alk" },
  { input: "a directory as source", files: { "src.alkyl/x": "" }, args: () => ["compile", "src.alkyl"], stderr: /^src\.alkyl: is a directory$/, output: "src.alk" },
  { input: "a binary source (NUL bytes)", files: { "bin.alkyl": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]) }, args: () => ["compile", "bin.alkyl", "-o", "out.alk"], stderr: /^bin\.alkyl: not a text file \(NUL byte at offset 4\)$/, output: "out.alk" },
  { input: "a source that is not UTF-8", files: { "latin1.alkyl": Buffer.from("// caf\xe9\npublic uint8_t One() { return 1; }\n", "latin1") }, args: () => ["compile", "latin1.alkyl", "-o", "out.alk"], stderr: /^latin1\.alkyl: not a text file \(invalid UTF-8 at offset 6\)$/, output: "out.alk" },
  { input: "an oversized source (over 1 MiB)", files: { "big.alkyl": "// padding\n".repeat(MiB / 11 + 1) }, args: () => ["compile", "big.alkyl", "-o", "out.alk"], stderr: /^big\.alkyl: file of \d+ bytes is larger than 1048576 bytes$/, output: "out.alk" },
  { input: "an endless source (/dev/zero)", args: () => ["compile", "/dev/zero", "-o", "out.alk"], stderr: /^\/dev\/zero: larger than 1048576 bytes$/, output: "out.alk" },
  { input: "an empty source", files: { "empty.alkyl": "  \n" }, args: () => ["compile", "empty.alkyl", "-o", "out.alk"], stderr: /^empty\.alkyl: empty file \(nothing to compile\)$/, output: "out.alk" },
  { input: "a syntax error", files: { "syntax.alkyl": "public uint8_t One() {\n  return 1\n}\n" }, args: () => ["compile", "syntax.alkyl", "-o", "out.alk"], stderr: /^syntax\.alkyl:3:1: error: /, diagnostic: true, output: "out.alk" },
  { input: "a type error", files: { "types.alkyl": "public uint8_t One() {\n  bool b = 300;\n  return 1;\n}\n" }, args: () => ["compile", "types.alkyl", "-o", "out.alk"], stderr: /^types\.alkyl:2:\d+: error: /, diagnostic: true, output: "out.alk" },
  { input: "a steps file with a bad line", files: { "bad.steps": "call SetPin(\"1234\", 1)\nwiggle\n" }, args: () => ["run", LOCK_SRC, "--profile", "smartlock", "--steps", "bad.steps"], stderr: /^bad\.steps:2: .*got 'wiggle'$/ },
  { input: "an assembly error", files: { "bad.asm": "  push8 1\n" }, args: () => ["asm", "bad.asm", "-o", "out.alk"], stderr: /^bad\.asm:1:3: error: instruction outside a function/, output: "out.alk" },
  { input: "an output folder that does not exist", args: () => ["compile", LOCK_SRC, "--profile", "smartlock", "-o", "nodir/lock.alk"], stderr: /^nodir\/lock\.alk: cannot write \(its folder does not exist\)$/ },
  { input: "a missing steps file", args: () => ["run", LOCK_SRC, "--profile", "smartlock", "--steps", "none.steps"], stderr: /^none\.steps: no such file$/ },

  // Images
  { input: "an empty image", files: { "empty.alk": "" }, args: () => ["run", "empty.alk"], stderr: /^empty\.alk: error verify: offset 0: header: image is 0 bytes, shorter than the 28-byte minimum$/ },
  { input: "a truncated image", files: { "cut.alk": LOCK.subarray(0, 40) }, args: () => ["run", "cut.alk", "--call", "One()"], stderr: /^cut\.alk: error verify: offset \d+: size: section sizes add up to \d+ bytes but the image has 40$/ },
  { input: "an image with a bad magic", files: { "magic.alk": lockWith(0, 0x42) }, args: () => ["run", "magic.alk"], stderr: /^magic\.alk: error verify: offset 0: magic: not an Alkyl image/ },
  { input: "an image of an unknown version", files: { "v9.alk": lockWith(4, 9) }, args: () => ["run", "v9.alk"], stderr: /^v9\.alk: error verify: offset 4: version: image version 9 is not supported \(expected 1\)$/ },
  { input: "an image with a bad CRC", files: { "crc.alk": lockWith(LOCK.length - 1, LOCK[LOCK.length - 1]! ^ 0x01) }, args: () => ["run", "crc.alk"], stderr: /^crc\.alk: error verify: offset \d+: crc: CRC-32 mismatch/ },
  { input: "random bytes as an image", files: { "random.alk": Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 0xff) }, args: () => ["run", "random.alk"], stderr: /^random\.alk: error verify: offset 0: magic: not an Alkyl image/ },
  { input: "an oversized image (over 1 MiB)", files: { "huge.alk": Buffer.concat([Buffer.from(LOCK), Buffer.alloc(MiB)]) }, args: () => ["run", "huge.alk"], stderr: /^huge\.alk: file of \d+ bytes is larger than 1048576 bytes$/ },
  { input: "an image for another profile", files: { "lock.alk": LOCK }, args: () => ["run", "lock.alk", "--profile", "meter"], stderr: /^lock\.alk: error verify: offset 6: profile: image is built for profile \d+, the device runs profile \d+ \(meter\)$/ },
  { input: "a bad image for disasm", files: { "v9.alk": lockWith(4, 9) }, args: () => ["disasm", "v9.alk"], stderr: /^v9\.alk: not a valid image: offset 4: version: / },
  { input: "a bad image as a fused app", files: { "crc.alk": lockWith(LOCK.length - 1, LOCK[LOCK.length - 1]! ^ 0x01) }, args: () => ["fuse", "--contract", VAULT_SOL, "--app", "crc.alk", "-o", "fused"], stderr: /^crc\.alk: error verify: offset \d+: crc: /, output: "fused" },
  { input: "a bad image compiled into firmware", files: { "v9.alk": lockWith(4, 9) }, args: () => ["firmware", "--board", "native", "--app", "v9.alk", "--aot", "-o", "fw"], stderr: /^v9\.alk: error verify: offset 4: version: /, output: "fw" },
  { input: "flash --dry-run without a built firmware", args: () => ["flash", "--board", "lpmsp430g2553", "-d", "nothing", "--dry-run"], stderr: /^alkyvm flash: no firmware at nothing\/\.alkyvm\/firmware\.elf: run alkyvm firmware/ },

  // Contracts and ABIs
  { input: "a contract that does not compile", files: { "Bad.sol": "contract Bad {\n  function f() public { x = ; }\n}\n" }, args: () => ["fuse", "--contract", "Bad.sol", "--app", LOCK_SRC + "@smartlock", "-o", "fused"], stderr: /^Bad\.sol:2:\d+: ParserError: /, output: "fused" },
  { input: "a binary contract source", files: { "Bin.sol": Buffer.from([0x63, 0, 0x6e]) }, args: () => ["fuse", "--contract", "Bin.sol", "--app", LOCK_SRC + "@smartlock", "-o", "fused"], stderr: /^Bin\.sol: not a text file \(NUL byte at offset 1\)$/, output: "fused" },
  { input: "a contract name not in the source", args: () => ["fuse", "--contract", VAULT_SOL, "--name", "Safe", "--app", LOCK_SRC + "@smartlock", "-o", "fused"], stderr: /Vault\.sol: no contract named 'Safe' \(found: Vault\)$/, output: "fused" },
  { input: "an ABI that is not JSON", files: { "abi.json": '[\n  {"type": "event",\n   "name": }\n]' }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /^abi\.json:3:12: not valid JSON \(Unexpected token '}'\)$/, output: "out.alk" },
  { input: "an ABI of the wrong shape", files: { "abi.json": '{"contractName": "Rental"}' }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /^abi\.json: not a contract ABI \(a JSON list of entries, or an artifact with an "abi" list\)$/, output: "out.alk" },
  { input: "an ABI entry without a name", files: { "abi.json": '[{"type": "function", "inputs": [], "outputs": []}]' }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /^abi\.json: \$\[0\]\.name: missing$/, output: "out.alk" },
  { input: "an ABI entry with a name that is not a string", files: { "abi.json": '{"abi": [{"type": "event", "name": 7, "inputs": []}]}' }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /^abi\.json: \$\.abi\[0\]\.name: must be a string$/, output: "out.alk" },
  { input: "an ABI parameter of no Solidity type", files: { "abi.json": '[{"type": "event", "name": "Paid", "inputs": [{"name": "pin", "type": "strin g"}]}]' }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /^abi\.json: \$\[0\]\.inputs\[0\]\.type: 'strin g' is not a Solidity ABI type$/, output: "out.alk" },
  { input: "an ABI with inputs that are not a list", files: { "abi.json": '[{"type": "event", "name": "Paid", "inputs": "pin"}]' }, args: () => ["aryl", "--rpc", unreachable, "--contract", ADDRESS, "--abi", "abi.json", "--devices", "none.json"], stderr: /^abi\.json: \$\[0\]\.inputs: must be a list of parameters$/ },
  { input: "an ABI without the function the script calls", files: { "abi.json": GOOD_ABI }, args: () => ["compile", join(ROOT, "examples/rental/rental.aryl"), "--abi", "abi.json", "-o", "out.alk"], stderr: /rental\.aryl:\d+:\d+: error: unknown contract event 'PaymentEvent'/, diagnostic: true, output: "out.alk" },

  // Devices files (alkyvm aryl reads them before it touches the chain)
  { input: "a devices file that is not JSON", files: arylFiles('{"devices": [\n  {"name": "lock-1",}\n]}'), args: aryl(() => unreachable), stderr: /^devices\.json:2:21: not valid JSON \(Expected double-quoted property name\)$/ },
  { input: "a binary devices file", files: arylFiles(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), args: aryl(() => unreachable), stderr: /^devices\.json: not a text file \(invalid UTF-8 at offset 0\)$/ },
  { input: "a devices file of the wrong shape", files: arylFiles('[{"name": "lock-1"}]'), args: aryl(() => unreachable), stderr: /^devices\.json: must be an object with a "devices" list$/ },
  { input: "a device with an unknown field", files: arylFiles(devices({ ...DEVICE, pin: "1234" })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): unknown field 'pin'/ },
  { input: "a device with a missing field", files: arylFiles(devices({ name: "lock-1", transport: "emulated:uno", key: "file:lock.key" })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): missing 'profile'$/ },
  { input: "a device with a field of the wrong type", files: arylFiles(devices({ ...DEVICE, transport: 7 })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): 'transport' must be a string$/ },
  { input: "a device with a bad transport", files: arylFiles(devices({ ...DEVICE, transport: "usb:3" })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): transport 'usb:3' must be serial:<path>\[@baud\], tcp:<host>:<port> or emulated:uno or emulated:native$/ },
  { input: "two devices with one name", files: arylFiles(devices(DEVICE, DEVICE)), args: aryl(() => unreachable), stderr: /^devices\.json: device 2 \('lock-1'\): name 'lock-1' is used twice$/ },
  { input: "a device of an unknown profile", files: arylFiles(devices({ ...DEVICE, profile: "toaster" })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): unknown profile 'toaster' \(known: / },
  { input: "a key file that is missing", files: arylFiles(devices({ ...DEVICE, key: "file:keys/none.key" })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): key 'file:keys\/none\.key': no such file .*keys\/none\.key$/ },
  { input: "a key file that cannot be read", files: arylFiles(devices({ ...DEVICE, key: "file:keydir" }), { "keydir/x": "" }), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): key 'file:keydir': .*keydir: is a directory$/ },
  { input: "a key of the wrong length", files: arylFiles(devices(DEVICE), { "lock.key": "abcd\n" }), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): key 'file:lock\.key': the key has 4 hex digits, a key has 64 \(32 bytes\)$/ },
  { input: "a key that is not hex", files: arylFiles(devices(DEVICE), { "lock.key": "zz".repeat(32) + "\n" }), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): key 'file:lock\.key': the key is not hex digits/ },
  { input: "a key written into the file", files: arylFiles(devices({ ...DEVICE, key: KEY })), args: aryl(() => unreachable), stderr: /^devices\.json: device 1 \('lock-1'\): key must be a reference, env:<VARIABLE> or file:<path>/ },
  { input: "a missing devices file", files: arylFiles(devices(DEVICE)), args: aryl(() => unreachable, "none.json"), stderr: /^none\.json: no such file$/ },
  { input: "an oversized devices file", files: arylFiles(" ".repeat(MiB + 1)), args: aryl(() => unreachable), stderr: /^devices\.json: file of 1048577 bytes is larger than 1048576 bytes$/ },

  // RPC answers: the node (alkyvm aryl) at start, and alkyvm extract
  { input: "an unreachable RPC URL (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => unreachable), stderr: /^alkyvm aryl: contract 0x0+a1 on http:\/\/127\.0\.0\.1:\d+: no answer from the RPC server \(.*ECONNREFUSED.*\)$/ },
  { input: "an RPC answer that is cut off (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/garbage"), stderr: /: the RPC server's answer is not JSON \(Unexpected end of JSON input\)$/ },
  { input: "an RPC answer in HTML (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/html"), stderr: /: the RPC server's answer is not JSON \(Unexpected token '<'/ },
  { input: "an RPC server answering HTTP 502 (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/http502"), stderr: /: the RPC server answered HTTP 502 \(.*502 Bad Gateway.*\)$/ },
  { input: "a JSON-RPC error (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/rpc-error"), stderr: /: the RPC server answered JSON-RPC error -32000: header not found$/ },
  { input: "an RPC server that closes the connection (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/close"), stderr: /: no answer from the RPC server \(other side closed\)$/ },
  { input: "code that is a number (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/number"), stderr: /: eth_getCode answered 12345, not hex bytes$/ },
  { input: "code that is not hex (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/bad-hex"), stderr: /: eth_getCode answered "0xzz", not hex bytes$/ },
  { input: "a chain without the contract (wrong chain)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/no-code"), stderr: /: no contract at 0x0+a1$/ },
  { input: "an RPC server on another chain (--chain-id)", files: arylFiles(devices(DEVICE)), args: () => [...aryl(() => rpc + "/chain-1")(), "--chain-id", "31337"], stderr: /^alkyvm aryl: http:\/\/127\.0\.0\.1:\d+\/chain-1 serves chain id 1, not 31337 \(--chain-id\)$/ },
  { input: "the right chain id, then code that is not fused (--chain-id passes)", files: arylFiles(devices(DEVICE)), args: () => [...aryl(() => rpc + "/chain-31337")(), "--chain-id", "31337"], stderr: /^alkyvm aryl: contract 0x0+a1 on http:\/\/127\.0\.0\.1:\d+\/chain-31337: no embedded images: / },
  { input: "a chain id answer that is not JSON (--chain-id)", files: arylFiles(devices(DEVICE)), args: () => [...aryl(() => rpc + "/html")(), "--chain-id", "31337"], stderr: /^alkyvm aryl: chain id from http:\/\/127\.0\.0\.1:\d+\/html: the RPC server's answer is not JSON/ },
  { input: "a contract that is not fused (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/not-fused"), stderr: /: no embedded images: the code does not end with an AlkyVM image container \(not a fused contract\)$/ },
  { input: "a fused contract with a corrupted image (node)", files: arylFiles(devices(DEVICE)), args: aryl(() => rpc + "/corrupt-image"), stderr: /: embedded image 0 \(alkyl\) is corrupted: keccak-256 0x[0-9a-f]{64}, the directory says 0x[0-9a-f]{64}$/ },
  { input: "an unreachable RPC URL (extract)", args: () => ["extract", "--rpc", unreachable, "--address", ADDRESS, "-o", "images"], stderr: /^alkyvm extract: cannot read the code of 0x0+a1 from http:\/\/127\.0\.0\.1:\d+: no answer from the RPC server \(.*ECONNREFUSED.*\)$/, output: "images" },
  { input: "an RPC answer in HTML (extract)", args: extract("/html"), stderr: /^alkyvm extract: cannot read the code of 0x0+a1 from http:\/\/127\.0\.0\.1:\d+\/html: the RPC server's answer is not JSON/, output: "images" },
  { input: "a JSON-RPC error (extract)", args: extract("/rpc-error"), stderr: /: the RPC server answered JSON-RPC error -32000: header not found$/, output: "images" },
  { input: "code that is a number (extract)", args: extract("/number"), stderr: /: eth_getCode answered 12345, not hex bytes$/, output: "images" },
  { input: "a contract that is not fused (extract)", args: extract("/not-fused"), stderr: /^alkyvm extract: 0x0+a1: no embedded images: /, output: "images" },
  { input: "a fused contract with a corrupted image (extract)", args: extract("/corrupt-image"), stderr: /^alkyvm extract: 0x0+a1: embedded image 0 \(alkyl\) is corrupted: /, output: "images" },

  // Command lines
  { input: "an unknown command", args: () => ["compiel", "x.alkyl"], stderr: /^alkyvm: unknown command 'compiel' \(see alkyvm --help\)$/, exit: 2 },
  { input: "an unknown option", args: () => ["compile", LOCK_SRC, "--optimise"], stderr: /^alkyvm: unknown option --optimise \(see alkyvm --help\)$/, exit: 2 },
  { input: "an option without its value", args: () => ["run", LOCK_SRC, "--fuel"], stderr: /^alkyvm: option --fuel needs a value \(see alkyvm --help\)$/, exit: 2 },
  { input: "a bad number", args: () => ["run", LOCK_SRC, "--fuel", "lots"], stderr: /^alkyvm: --fuel needs a positive integer, got 'lots' \(see alkyvm --help\)$/, exit: 2 },
  { input: "a negative number", files: arylFiles(devices(DEVICE)), args: () => [...aryl(() => unreachable)(), "--confirmations", "-1"], stderr: /^alkyvm: --confirmations needs a non-negative integer, got '-1' \(see alkyvm --help\)$/, exit: 2 },
  { input: "an unknown board", args: () => ["firmware", "--board", "esp32"], stderr: /^alkyvm: unknown board 'esp32' \(known: .*\) \(see alkyvm --help\)$/, exit: 2 },
  { input: "an unknown backend", args: () => ["run", LOCK_SRC, "--backend", "quantum"], stderr: /^alkyvm: unknown backend 'quantum' \(available: .*\) \(see alkyvm --help\)$/, exit: 2 },
  { input: "an unknown profile", args: () => ["compile", LOCK_SRC, "--profile", "toaster", "-o", "out.alk"], stderr: /^alkyvm: unknown profile 'toaster' \(known: .*\) \(see alkyvm --help\)$/, exit: 2, output: "out.alk" },
  { input: "a bad --emit", args: () => ["compile", LOCK_SRC, "--emit", "wasm"], stderr: /^alkyvm: --emit must be image, asm, c or ts, got 'wasm' \(see alkyvm --help\)$/, exit: 2 },
  { input: "a bad RPC URL", args: () => ["extract", "--rpc", "localhost:8545", "--address", ADDRESS], stderr: /^alkyvm: --rpc must be an http\(s\) URL, got 'localhost:8545' \(see alkyvm --help\)$/, exit: 2 },
  { input: "a bad time step", args: () => ["run", LOCK_SRC, "--profile", "smartlock", "--time", "noon"], stderr: /^alkyvm: --time needs Unix seconds \(0\.\.4294967295\), got 'noon' \(see alkyvm --help\)$/, exit: 2 },
  { input: "an unknown bench kernel", args: () => ["bench", "--board", "uno", "--kernel", "nope"], stderr: /^alkyvm: unknown kernel 'nope' \(known: .*\) \(see alkyvm --help\)$/, exit: 2 },
  { input: "a serial port that does not exist", args: () => ["run", LOCK_SRC, "--profile", "smartlock", "--backend", "serial:/dev/alkyvm-none", "--call", "Unlock()"], stderr: /^alkyvm: backend serial:\/dev\/alkyvm-none: no serial port \/dev\/alkyvm-none/ },
  { input: "a TCP device nobody runs", args: () => ["run", LOCK_SRC, "--profile", "smartlock", "--backend", `tcp:${unreachable.slice("http://".length)}`, "--call", "Unlock()"], stderr: /^alkyvm: backend tcp:127\.0\.0\.1:\d+: nothing listens on 127\.0\.0\.1:\d+/ },
  { input: "a monitor on a missing port", args: () => ["monitor", "--port", "/dev/alkyvm-none", "--count", "1"], stderr: /^alkyvm: monitor: no serial port \/dev\/alkyvm-none/ },
  { input: "a bad serial port spec", args: () => ["devices", "--port", "/dev/ttyACM0@fast"], stderr: /^alkyvm: --port needs <path>\[@baud\], got '\/dev\/ttyACM0@fast' \(see alkyvm --help\)$/, exit: 2 },
];

function rowDir(): string {
  return mkdtempSync(join(tmpdir(), "alkyvm-bad-input-"));
}

function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
  }
}

describe("bad input: one line naming the problem and where, a non-zero exit, no stack trace, nothing half-written", () => {
  for (const row of ROWS) {
    it.concurrent(row.input, async () => {
      const dir = rowDir();
      writeFiles(dir, row.files ?? {});
      const before = readdirSync(dir);
      const r = await alkyvmAsync(row.args(), { cwd: dir });
      const lines = r.stderr.replace(/\n$/, "").split("\n");
      expect(r.status, r.stderr).toBe(row.exit ?? 1);
      expect(r.stdout).toBe("");
      expect(r.stderr.endsWith("\n")).toBe(true);
      if (row.diagnostic) expect(lines.at(-1)).toMatch(/^\d+ errors? in /);
      else expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(row.stderr);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(/internal error|TypeError|ReferenceError|RangeError|\[object Object\]|undefined/);
      expect(r.stderr).not.toContain(KEY);
      if (row.output) expect(existsSync(join(dir, row.output))).toBe(false);
      expect(readdirSync(dir).filter((f) => !before.includes(f) && f !== "data")).toEqual([]);
    });
  }
});

describe("the node's store after a bad RPC answer", () => {
  it("is neither changed nor left locked when the node refuses to start", async () => {
    const dir = rowDir();
    writeFiles(dir, arylFiles(devices(DEVICE)));
    const store = NodeStore.open(join(dir, "data"));
    store.advanceCursor({ number: 41n, hash: "0x" + "41".repeat(32) });
    store.close();
    const before = readFileSync(join(dir, "data", "node.sqlite"));
    for (const path of ["/garbage", "/rpc-error", "/number", "/corrupt-image"]) {
      const r = await alkyvmAsync(aryl(() => rpc + path)(), { cwd: dir });
      expect(r.status, r.stderr).toBe(1);
    }
    expect(readFileSync(join(dir, "data", "node.sqlite")).equals(before)).toBe(true);
    const reopened = NodeStore.open(join(dir, "data"));
    try {
      expect(reopened.cursor()).toEqual({ number: 41n, hash: "0x" + "41".repeat(32), complete: true });
      expect(reopened.handledLogs()).toEqual([]);
    } finally {
      reopened.close();
    }
  }, 120_000);
});
