// The image container that fusion appends to a contract's runtime code, and
// its reader. Byte layout (normative description in docs/aryl.md §4):
//
//   container := image_0 … image_{n-1}  directory  trailer
//   directory entry (40 bytes): kind u8 (0 alkyl, 1 aryl), reserved u8 = 0,
//                               profile id u16 LE, image length u32 LE,
//                               keccak-256 of the image (32 bytes)
//   trailer (16 bytes):         version u8 = 1, image count u8, reserved u16 = 0,
//                               container length u32 LE (trailer included),
//                               magic "ALKYFUSE"
//
// The trailer is the last 16 bytes of the code, so a reader finds the
// container from the end without knowing where the contract's code stops.
// Every image is checked against its hash and then run through the IR
// verifier with its profile before it is handed out.

import { keccak_256 } from "@noble/hashes/sha3.js";
import { formatVerifyError, verifyImage } from "../ir/verify.js";
import { ARYL_PROFILE, profileById, type Profile } from "../profiles/profiles.js";

export type ImageKind = "aryl" | "alkyl";

export interface EmbeddedImage {
  kind: ImageKind;
  /** Profile name, from the image's header. */
  profile: string;
  bytes: Uint8Array;
  /** keccak-256 of the image bytes, 0x-prefixed hex. */
  hash: string;
}

export const CONTAINER_MAGIC = "ALKYFUSE";
export const CONTAINER_VERSION = 1;
export const DIRECTORY_ENTRY_SIZE = 40;
export const CONTAINER_TRAILER_SIZE = 16;
/** Images per container: the trailer's count is one byte. */
export const MAX_IMAGES = 255;

const KIND_CODES: readonly ImageKind[] = ["alkyl", "aryl"];

export type ImageCheck = { ok: true; image: EmbeddedImage } | { ok: false; message: string };

export function imageHash(bytes: Uint8Array): string {
  return "0x" + Buffer.from(keccak_256(bytes)).toString("hex");
}

function headerProfileId(bytes: Uint8Array): number {
  return bytes.length >= 8 ? bytes[6]! | (bytes[7]! << 8) : -1;
}

/**
 * Verifies one image as `kind`: it must pass the IR verifier for the profile in
 * its header, and Aryl scripts (only they) are built for the Aryl profile.
 */
export function checkImage(kind: ImageKind, bytes: Uint8Array, label: string): ImageCheck {
  const id = headerProfileId(bytes);
  const profile: Profile | undefined = profileById(id);
  if (!profile) return { ok: false, message: `${label}: built for unknown profile id ${id}` };
  if (kind === "aryl" && profile.name !== ARYL_PROFILE)
    return { ok: false, message: `${label}: an Aryl script must be built for profile ${ARYL_PROFILE}, this one is for ${profile.name}` };
  if (kind === "alkyl" && profile.name === ARYL_PROFILE) return { ok: false, message: `${label}: a device app cannot be built for profile ${ARYL_PROFILE}` };
  const v = verifyImage(bytes, { profile });
  if (!v.ok) return { ok: false, message: `${label}: does not verify: ${formatVerifyError(v.error)}` };
  return { ok: true, image: { kind, profile: profile.name, bytes, hash: imageHash(bytes) } };
}

/** Encodes verified images as a container (see the layout above). */
export function encodeContainer(images: readonly EmbeddedImage[]): Uint8Array {
  if (images.length === 0 || images.length > MAX_IMAGES) throw new Error(`a container holds 1..${MAX_IMAGES} images, not ${images.length}`);
  const imagesLength = images.reduce((n, im) => n + im.bytes.length, 0);
  const total = imagesLength + images.length * DIRECTORY_ENTRY_SIZE + CONTAINER_TRAILER_SIZE;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const im of images) {
    out.set(im.bytes, at);
    at += im.bytes.length;
  }
  for (const im of images) {
    out[at] = KIND_CODES.indexOf(im.kind);
    out[at + 1] = 0;
    view.setUint16(at + 2, headerProfileId(im.bytes), true);
    view.setUint32(at + 4, im.bytes.length, true);
    out.set(Buffer.from(im.hash.slice(2), "hex"), at + 8);
    at += DIRECTORY_ENTRY_SIZE;
  }
  out[at] = CONTAINER_VERSION;
  out[at + 1] = images.length;
  view.setUint16(at + 2, 0, true);
  view.setUint32(at + 4, total, true);
  out.set(Buffer.from(CONTAINER_MAGIC, "latin1"), at + 8);
  return out;
}

export type ContainerResult = { ok: true; images: EmbeddedImage[]; containerOffset: number } | { ok: false; message: string };

/** True when the code ends with the container magic (a fused contract's code). */
export function hasContainer(code: Uint8Array): boolean {
  if (code.length < CONTAINER_TRAILER_SIZE) return false;
  return Buffer.from(code.subarray(code.length - CONTAINER_MAGIC.length)).toString("latin1") === CONTAINER_MAGIC;
}

/** Reads and verifies every image embedded at the end of `code` (a fused contract's runtime code). Never throws. */
export function readContainer(code: Uint8Array): ContainerResult {
  const fail = (message: string): ContainerResult => ({ ok: false, message });
  if (!hasContainer(code)) return fail("no embedded images: the code does not end with an AlkyVM image container (not a fused contract)");
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const trailer = code.length - CONTAINER_TRAILER_SIZE;
  const version = code[trailer]!;
  if (version !== CONTAINER_VERSION) return fail(`image container version ${version} is not supported (expected ${CONTAINER_VERSION})`);
  const count = code[trailer + 1]!;
  const total = view.getUint32(trailer + 4, true);
  if (count === 0) return fail("image container lists no images");
  if (view.getUint16(trailer + 2, true) !== 0) return fail("image container trailer: reserved field is not zero");
  if (total > code.length || total < CONTAINER_TRAILER_SIZE + count * DIRECTORY_ENTRY_SIZE)
    return fail(`image container length ${total} does not fit the code (${code.length} bytes, ${count} images)`);
  const start = code.length - total;
  const directory = trailer - count * DIRECTORY_ENTRY_SIZE;
  const images: EmbeddedImage[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    const entry = directory + i * DIRECTORY_ENTRY_SIZE;
    const kind = KIND_CODES[code[entry]!];
    if (kind === undefined) return fail(`embedded image ${i}: unknown kind ${code[entry]}`);
    if (code[entry + 1] !== 0) return fail(`embedded image ${i}: reserved directory byte is not zero`);
    const length = view.getUint32(entry + 4, true);
    if (length > directory - at) return fail(`embedded image ${i}: length ${length} runs past the image area`);
    const bytes = Uint8Array.from(code.subarray(at, at + length));
    at += length;
    const stored = "0x" + Buffer.from(code.subarray(entry + 8, entry + DIRECTORY_ENTRY_SIZE)).toString("hex");
    const hash = imageHash(bytes);
    if (hash !== stored) return fail(`embedded image ${i} (${kind}) is corrupted: keccak-256 ${hash}, the directory says ${stored}`);
    const listedProfile = view.getUint16(entry + 2, true);
    if (listedProfile !== headerProfileId(bytes))
      return fail(`embedded image ${i} (${kind}): directory says profile id ${listedProfile}, the image header ${headerProfileId(bytes)}`);
    const checked = checkImage(kind, bytes, `embedded image ${i} (${kind})`);
    if (!checked.ok) return checked;
    images.push(checked.image);
  }
  if (at !== directory) return fail(`image container: ${directory - at} bytes between the images and the directory`);
  return { ok: true, images, containerOffset: start };
}
