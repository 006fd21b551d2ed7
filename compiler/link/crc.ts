// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected, no final xor):
// the integrity check of every link frame (docs/link.md §2). Chosen because it
// is the common serial-link CRC, catches every burst up to 16 bits, and the C
// side computes it bit by bit with no table (flash is scarce on the MSP430).
// The app hash uses the image's own CRC-32 (compiler/ir/crc32.ts).

export const CRC16_INIT = 0xffff;

/** Folds `bytes[start..end)` into a running CRC-16/CCITT-FALSE value. */
export function crc16Update(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = crc;
  for (let i = start; i < end; i++) {
    c ^= bytes[i]! << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

/** CRC-16/CCITT-FALSE of `bytes[start..end)`; "123456789" gives 0x29B1. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc16Update(CRC16_INIT, bytes, start, end);
}
