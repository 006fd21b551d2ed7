// ECIES on secp256k1, how a tenant hides a secret (the lock PIN) in a public
// contract event so that only the Aryl node can read it (docs/aryl.md §2).
//
//   ciphertext = ephemeralPublicKey (33 bytes, compressed)
//              || ChaCha20-Poly1305(key, nonce = 12 zero bytes, plaintext) (plaintext length + 16-byte tag)
//   key        = HKDF-SHA256(ikm = x-coordinate of ECDH(ephemeral, node), salt = ephemeralPublicKey,
//                            info = "alkyvm-ecies-v1", 32 bytes)
//
// The key is fresh for every message (a new ephemeral key each time), so a fixed
// nonce never repeats under one key. In an event the ciphertext travels as hex
// text (`0x` optional). Decryption failures are one-line EciesErrors.

import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

const INFO = new TextEncoder().encode("alkyvm-ecies-v1");
const PUBLIC_KEY_BYTES = 33;
const TAG_BYTES = 16;
const NONCE = new Uint8Array(12);

export class EciesError extends Error {}

function messageKey(sharedPoint: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  return hkdf(sha256, sharedPoint.subarray(1), ephemeralPublicKey, INFO, 32);
}

/** A new node key pair: 32-byte secret key, 33-byte compressed public key. */
export function generateKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = secp256k1.utils.randomSecretKey();
  return { secretKey, publicKey: secp256k1.getPublicKey(secretKey, true) };
}

/** The compressed public key of a secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(secretKey, true);
}

/** Encrypts `plaintext` to the holder of `publicKey` (compressed or uncompressed secp256k1 point). */
export function eciesEncrypt(publicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  const ephemeral = secp256k1.utils.randomSecretKey();
  try {
    shared = secp256k1.getSharedSecret(ephemeral, publicKey, true);
  } catch {
    throw new EciesError("the recipient's public key is not a secp256k1 point");
  }
  const ephemeralPublicKey = secp256k1.getPublicKey(ephemeral, true);
  const sealed = chacha20poly1305(messageKey(shared, ephemeralPublicKey), NONCE).encrypt(plaintext);
  const out = new Uint8Array(PUBLIC_KEY_BYTES + sealed.length);
  out.set(ephemeralPublicKey);
  out.set(sealed, PUBLIC_KEY_BYTES);
  return out;
}

/** Decrypts with the node's secret key; throws EciesError for a malformed, tampered or misaddressed ciphertext. */
export function eciesDecrypt(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length < PUBLIC_KEY_BYTES + TAG_BYTES) throw new EciesError(`ciphertext of ${ciphertext.length} bytes is too short (at least ${PUBLIC_KEY_BYTES + TAG_BYTES})`);
  const ephemeralPublicKey = ciphertext.subarray(0, PUBLIC_KEY_BYTES);
  let shared: Uint8Array;
  try {
    shared = secp256k1.getSharedSecret(secretKey, ephemeralPublicKey, true);
  } catch {
    throw new EciesError("ciphertext does not start with a secp256k1 public key");
  }
  try {
    return chacha20poly1305(messageKey(shared, ephemeralPublicKey), NONCE).decrypt(ciphertext.subarray(PUBLIC_KEY_BYTES));
  } catch {
    throw new EciesError("ciphertext does not authenticate (tampered, or encrypted to another key)");
  }
}

/** `0x`-prefixed lower-case hex, as a ciphertext travels in a contract event. */
export function toHex(bytes: Uint8Array): string {
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses hex text (`0x` optional); throws EciesError naming the problem. */
export function fromHex(text: string): Uint8Array {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new EciesError("ciphertext is not hex text of whole bytes");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
