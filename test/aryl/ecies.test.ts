import { describe, expect, it } from "vitest";
import { eciesDecrypt, eciesEncrypt, EciesError, fromHex, generateKeyPair, publicKeyOf, toHex } from "../../aryl/ecies.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("ECIES on secp256k1", () => {
  it("decrypts what was encrypted to the node's public key", () => {
    const node = generateKeyPair();
    const sealed = eciesEncrypt(node.publicKey, text("1234"));
    expect(sealed.length).toBe(33 + 4 + 16);
    expect(str(eciesDecrypt(node.secretKey, sealed))).toBe("1234");
  });

  it("round-trips through the hex text of a contract event", () => {
    const node = generateKeyPair();
    const hex = toHex(eciesEncrypt(node.publicKey, text("secret pin 0042")));
    expect(hex).toMatch(/^0x[0-9a-f]+$/);
    expect(str(eciesDecrypt(node.secretKey, fromHex(hex)))).toBe("secret pin 0042");
  });

  it("uses a fresh ephemeral key for every message", () => {
    const node = generateKeyPair();
    expect(toHex(eciesEncrypt(node.publicKey, text("1234")))).not.toBe(toHex(eciesEncrypt(node.publicKey, text("1234"))));
  });

  it("rejects a tampered ciphertext", () => {
    const node = generateKeyPair();
    const sealed = eciesEncrypt(node.publicKey, text("1234"));
    for (const at of [33, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at] ^= 1;
      expect(() => eciesDecrypt(node.secretKey, bad)).toThrow(/does not authenticate/);
    }
    const badKey = sealed.slice();
    badKey[0] = 0x05; // not a compressed point prefix
    expect(() => eciesDecrypt(node.secretKey, badKey)).toThrow(EciesError);
  });

  it("rejects a ciphertext encrypted to another key", () => {
    const node = generateKeyPair();
    const other = generateKeyPair();
    expect(() => eciesDecrypt(node.secretKey, eciesEncrypt(other.publicKey, text("1234")))).toThrow(/another key/);
  });

  it("rejects short ciphertexts and bad hex with one-line errors", () => {
    const node = generateKeyPair();
    expect(() => eciesDecrypt(node.secretKey, new Uint8Array(20))).toThrow(/too short/);
    expect(() => fromHex("0x123")).toThrow(/not hex/);
    expect(() => fromHex("zz")).toThrow(/not hex/);
  });

  it("derives the public key from the secret key", () => {
    const node = generateKeyPair();
    expect(toHex(publicKeyOf(node.secretKey))).toBe(toHex(node.publicKey));
  });
});
