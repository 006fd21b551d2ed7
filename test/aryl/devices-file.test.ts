// Bad devices files: one line naming the file and the entry, never a key's value.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDevicesFile, readDevicesFile } from "../../aryl/devices-file.js";
import { tempDir } from "./devices.js";

const KEY = "ab".repeat(32);
const dir = tempDir("devices-file");
mkdirSync(join(dir, "keys"), { recursive: true });
writeFileSync(join(dir, "keys", "lock.key"), KEY + "\n");
writeFileSync(join(dir, "keys", "short.key"), "abcd\n");
const path = join(dir, "devices.json");
const env = { LOCK_KEY: KEY, BAD_KEY: "not-a-key-secret" };

const lock = { name: "lock-1", transport: "emulated:uno", profile: "smartlock", key: "env:LOCK_KEY" };

function parse(json: unknown): string {
  const r = parseDevicesFile(typeof json === "string" ? json : JSON.stringify(json), path, env);
  return r.ok ? "ok" : r.message;
}

describe("devices file", () => {
  it("reads every transport form, the profile, the groups and both key references", () => {
    const r = parseDevicesFile(
      JSON.stringify({
        devices: [
          { ...lock, groups: ["front"] },
          { name: "lock-2", transport: "serial:/dev/ttyACM0@57600", profile: "smartlock", key: "file:keys/lock.key" },
          { name: "meter", transport: "tcp:192.168.1.20:7000", profile: "test", key: "file:keys/lock.key" },
          { name: "lock-3", transport: "emulated:native", profile: "smartlock", key: "env:LOCK_KEY" },
        ],
      }),
      path,
      env,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.devices.map((d) => [d.name, d.transport, d.profile.name, d.groups])).toEqual([
      ["lock-1", { kind: "emulated", board: "uno" }, "smartlock", ["front"]],
      ["lock-2", { kind: "serial", serial: { path: "/dev/ttyACM0", baudRate: 57600 } }, "smartlock", []],
      ["meter", { kind: "tcp", host: "192.168.1.20", port: 7000 }, "test", []],
      ["lock-3", { kind: "emulated", board: "native" }, "smartlock", []],
    ]);
    expect(Buffer.from(r.devices[1]!.key).toString("hex")).toBe(KEY);
    expect(r.devices.map((d) => d.plainAllowed)).toEqual([false, false, false, false]);
  });

  it("serves a real board over a plain link only when its entry says so", () => {
    const r = parseDevicesFile(JSON.stringify({ devices: [{ name: "pad", transport: "serial:/dev/ttyACM1@9600", profile: "smartlock", key: "env:LOCK_KEY", link: "plain" }] }), path, env);
    if (!r.ok) throw new Error(r.message);
    expect(r.devices[0]!.plainAllowed).toBe(true);
  });

  const cases: [string, unknown, string][] = [
    ["not JSON", "{devices: [", `${path}:1:2: not valid JSON (`],
    ["no devices list", { locks: [] }, `${path}: must be an object with a "devices" list`],
    ["an empty list", { devices: [] }, `${path}: the "devices" list is empty`],
    ["an entry that is not an object", { devices: [lock, 7] }, `${path}: device 2: must be an object`],
    ["a missing field", { devices: [{ name: "lock-1", transport: "emulated:uno", key: "env:LOCK_KEY" }] }, `${path}: device 1 ('lock-1'): missing 'profile'`],
    ["an unknown field", { devices: [{ ...lock, pin: "1234" }] }, `${path}: device 1 ('lock-1'): unknown field 'pin' (fields: name, transport, profile, key, groups, link)`],
    ["a bad name", { devices: [{ ...lock, name: "lock 1" }] }, `${path}: device 1 ('lock 1'): name 'lock 1' must start with a letter`],
    ["a name used twice", { devices: [lock, lock] }, `${path}: device 2 ('lock-1'): name 'lock-1' is used twice`],
    ["an unknown transport", { devices: [{ ...lock, transport: "usb:3" }] }, `${path}: device 1 ('lock-1'): transport 'usb:3' must be serial:<path>[@baud], tcp:<host>:<port> or emulated:uno or emulated:native`],
    ["a TCP port out of range", { devices: [{ ...lock, transport: "tcp:localhost:70000" }] }, `${path}: device 1 ('lock-1'): transport 'tcp:localhost:70000' must be`],
    ["an unknown board", { devices: [{ ...lock, transport: "emulated:esp32" }] }, `${path}: device 1 ('lock-1'): transport 'emulated:esp32' must be`],
    ["two devices on one port", { devices: [{ ...lock, transport: "serial:/dev/ttyUSB0" }, { ...lock, name: "lock-2", transport: "serial:/dev/ttyUSB0@9600" }] }, `${path}: device 2 ('lock-2'): transport 'serial:/dev/ttyUSB0@9600' is also device 'lock-1''s`],
    ["an unknown profile", { devices: [{ ...lock, profile: "toaster" }] }, `${path}: device 1 ('lock-1'): unknown profile 'toaster' (known: test, smartlock`],
    ["a link neither sealed nor plain", { devices: [{ ...lock, link: "open" }] }, `${path}: device 1 ('lock-1'): 'link' must be "sealed" (the default) or "plain"`],
    ["a plain link to an emulated board", { devices: [{ ...lock, link: "plain" }] }, `${path}: device 1 ('lock-1'): 'link' "plain" is for real boards`],
    ["bad groups", { devices: [{ ...lock, groups: "front" }] }, `${path}: device 1 ('lock-1'): 'groups' must be a list of names`],
    ["a key given by value", { devices: [{ ...lock, key: KEY }] }, `${path}: device 1 ('lock-1'): key must be a reference, env:<VARIABLE> or file:<path> (the key itself is not written here)`],
    ["an unset variable", { devices: [{ ...lock, key: "env:NO_SUCH_KEY" }] }, `${path}: device 1 ('lock-1'): key 'env:NO_SUCH_KEY': the environment variable is not set`],
    ["a variable holding no key", { devices: [{ ...lock, key: "env:BAD_KEY" }] }, `${path}: device 1 ('lock-1'): key 'env:BAD_KEY': the key is not hex digits (a key is 64 hex digits, 32 bytes)`],
    ["a missing key file", { devices: [{ ...lock, key: "file:keys/none.key" }] }, `${path}: device 1 ('lock-1'): key 'file:keys/none.key': no such file ${join(dir, "keys", "none.key")}`],
    ["a key file holding no key", { devices: [{ ...lock, key: "file:keys/short.key" }] }, `${path}: device 1 ('lock-1'): key 'file:keys/short.key': the key has 4 hex digits, a key has 64 (32 bytes)`],
  ];
  for (const [what, json, message] of cases) {
    it(`${what}: one line naming the file and the entry`, () => {
      const got = parse(json);
      expect(got.startsWith(message)).toBe(true);
      expect(got).not.toContain("\n");
      expect(got).not.toContain("not-a-key-secret");
      expect(got).not.toContain("abcd");
      expect(got).not.toContain(KEY);
    });
  }

  it("a file that does not exist", () => {
    const r = readDevicesFile(join(dir, "none.json"));
    expect(r).toEqual({ ok: false, message: `${join(dir, "none.json")}: no such file` });
  });
});
