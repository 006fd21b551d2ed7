/* CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xffff, no reflection,
 * no final XOR; check value 0x29b1 for "123456789"), bit by bit over 64 bytes
 * (bench/kernels/README.md).
 * Input: d[i] = top 8 bits of the LCG s = s * 1664525 + 1013904223 (s0 = 1).
 * Result: the CRC. */
#include <stdint.h>

#define CRC16_N 64

static uint8_t crc16_d[CRC16_N];

uint32_t bench_crc16(void);

uint32_t bench_crc16(void)
{
    uint8_t *d = crc16_d;
    uint32_t s = 1u;
    uint16_t crc = 0xffffu;
    uint8_t i, b;
    for (i = 0; i < CRC16_N; i++) {
        s = s * 1664525u + 1013904223u;
        d[i] = (uint8_t)(s >> 24);
    }
    for (i = 0; i < CRC16_N; i++) {
        crc ^= (uint16_t)((uint16_t)d[i] << 8);
        for (b = 0; b < 8; b++) {
            if (crc & 0x8000u) crc = (uint16_t)((crc << 1) ^ 0x1021u);
            else crc = (uint16_t)(crc << 1);
        }
    }
    return crc;
}
