// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): the frame body
// contains no 0x00, so 0x00 delimits frames and a receiver resynchronises at
// the next delimiter after any garbage. General COBS (code 0xFF = 254 bytes
// with no zero after them) so it is correct for any length; frames of the
// link are at most 254 bytes, for which the device encodes and decodes in
// place (docs/link.md §2).

/** Encodes `data` (any bytes); the result holds no 0x00 and no delimiter. */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    code++;
    // A full block of 254 non-zero bytes ends without an implied zero; a new
    // block starts only if more data follows, so no empty trailing block.
    if (code === 0xff && i + 1 < data.length) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.slice(0, o);
}

export type CobsDecoded = { ok: true; data: Uint8Array } | { ok: false; reason: string };

/** Decodes one frame body (without its delimiter); refuses a 0x00 or a code running past the end. */
export function cobsDecode(encoded: Uint8Array): CobsDecoded {
  const out = new Uint8Array(encoded.length);
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const code = encoded[i]!;
    if (code === 0) return { ok: false, reason: `0x00 inside the frame at byte ${i}` };
    const end = i + code;
    if (end > encoded.length) return { ok: false, reason: `block of ${code - 1} bytes at byte ${i} runs past the end (${encoded.length})` };
    for (let k = i + 1; k < end; k++) {
      const b = encoded[k]!;
      if (b === 0) return { ok: false, reason: `0x00 inside the frame at byte ${k}` };
      out[o++] = b;
    }
    i = end;
    if (code !== 0xff && i < encoded.length) out[o++] = 0;
  }
  return { ok: true, data: out.slice(0, o) };
}
