/* MD5 (RFC 1321) of the 43-byte message "The quick brown fox jumps over the lazy dog"
 * (one 64-byte block after padding), the 64 steps written out as in the RFC
 * (bench/kernels/README.md).
 * Result: the four state words of the digest (little-endian words
 * 0x9d7d109e ...) XORed together. */
#include <stdint.h>

#define MD5_LEN 43

static const char md5_msg[MD5_LEN + 1] = "The quick brown fox jumps over the lazy dog";
static uint32_t md5_x[16];

uint32_t bench_md5(void);

static uint32_t md5_rotl(uint32_t v, uint8_t n)
{
    return (v << n) | (v >> (32u - n));
}

static uint32_t md5_ff(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t x, uint8_t s, uint32_t t)
{
    return b + md5_rotl(a + ((b & c) | (~b & d)) + x + t, s);
}

static uint32_t md5_gg(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t x, uint8_t s, uint32_t t)
{
    return b + md5_rotl(a + ((b & d) | (c & ~d)) + x + t, s);
}

static uint32_t md5_hh(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t x, uint8_t s, uint32_t t)
{
    return b + md5_rotl(a + (b ^ c ^ d) + x + t, s);
}

static uint32_t md5_ii(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t x, uint8_t s, uint32_t t)
{
    return b + md5_rotl(a + (c ^ (b | ~d)) + x + t, s);
}

uint32_t bench_md5(void)
{
    uint32_t *x = md5_x;
    uint32_t a = 0x67452301u, b = 0xefcdab89u, c = 0x98badcfeu, d = 0x10325476u;
    uint8_t i;
    /* Padding: the message, 0x80, zeros, the length in bits in words 14-15. */
    for (i = 0; i < 16; i++) x[i] = 0u;
    for (i = 0; i < MD5_LEN; i++) x[i >> 2] |= (uint32_t)(uint8_t)md5_msg[i] << ((i & 3u) * 8u);
    x[MD5_LEN >> 2] |= (uint32_t)0x80u << ((MD5_LEN & 3u) * 8u);
    x[14] = MD5_LEN * 8u;
    a = md5_ff(a, b, c, d, x[0], 7, 0xd76aa478u);
    d = md5_ff(d, a, b, c, x[1], 12, 0xe8c7b756u);
    c = md5_ff(c, d, a, b, x[2], 17, 0x242070dbu);
    b = md5_ff(b, c, d, a, x[3], 22, 0xc1bdceeeu);
    a = md5_ff(a, b, c, d, x[4], 7, 0xf57c0fafu);
    d = md5_ff(d, a, b, c, x[5], 12, 0x4787c62au);
    c = md5_ff(c, d, a, b, x[6], 17, 0xa8304613u);
    b = md5_ff(b, c, d, a, x[7], 22, 0xfd469501u);
    a = md5_ff(a, b, c, d, x[8], 7, 0x698098d8u);
    d = md5_ff(d, a, b, c, x[9], 12, 0x8b44f7afu);
    c = md5_ff(c, d, a, b, x[10], 17, 0xffff5bb1u);
    b = md5_ff(b, c, d, a, x[11], 22, 0x895cd7beu);
    a = md5_ff(a, b, c, d, x[12], 7, 0x6b901122u);
    d = md5_ff(d, a, b, c, x[13], 12, 0xfd987193u);
    c = md5_ff(c, d, a, b, x[14], 17, 0xa679438eu);
    b = md5_ff(b, c, d, a, x[15], 22, 0x49b40821u);
    a = md5_gg(a, b, c, d, x[1], 5, 0xf61e2562u);
    d = md5_gg(d, a, b, c, x[6], 9, 0xc040b340u);
    c = md5_gg(c, d, a, b, x[11], 14, 0x265e5a51u);
    b = md5_gg(b, c, d, a, x[0], 20, 0xe9b6c7aau);
    a = md5_gg(a, b, c, d, x[5], 5, 0xd62f105du);
    d = md5_gg(d, a, b, c, x[10], 9, 0x02441453u);
    c = md5_gg(c, d, a, b, x[15], 14, 0xd8a1e681u);
    b = md5_gg(b, c, d, a, x[4], 20, 0xe7d3fbc8u);
    a = md5_gg(a, b, c, d, x[9], 5, 0x21e1cde6u);
    d = md5_gg(d, a, b, c, x[14], 9, 0xc33707d6u);
    c = md5_gg(c, d, a, b, x[3], 14, 0xf4d50d87u);
    b = md5_gg(b, c, d, a, x[8], 20, 0x455a14edu);
    a = md5_gg(a, b, c, d, x[13], 5, 0xa9e3e905u);
    d = md5_gg(d, a, b, c, x[2], 9, 0xfcefa3f8u);
    c = md5_gg(c, d, a, b, x[7], 14, 0x676f02d9u);
    b = md5_gg(b, c, d, a, x[12], 20, 0x8d2a4c8au);
    a = md5_hh(a, b, c, d, x[5], 4, 0xfffa3942u);
    d = md5_hh(d, a, b, c, x[8], 11, 0x8771f681u);
    c = md5_hh(c, d, a, b, x[11], 16, 0x6d9d6122u);
    b = md5_hh(b, c, d, a, x[14], 23, 0xfde5380cu);
    a = md5_hh(a, b, c, d, x[1], 4, 0xa4beea44u);
    d = md5_hh(d, a, b, c, x[4], 11, 0x4bdecfa9u);
    c = md5_hh(c, d, a, b, x[7], 16, 0xf6bb4b60u);
    b = md5_hh(b, c, d, a, x[10], 23, 0xbebfbc70u);
    a = md5_hh(a, b, c, d, x[13], 4, 0x289b7ec6u);
    d = md5_hh(d, a, b, c, x[0], 11, 0xeaa127fau);
    c = md5_hh(c, d, a, b, x[3], 16, 0xd4ef3085u);
    b = md5_hh(b, c, d, a, x[6], 23, 0x04881d05u);
    a = md5_hh(a, b, c, d, x[9], 4, 0xd9d4d039u);
    d = md5_hh(d, a, b, c, x[12], 11, 0xe6db99e5u);
    c = md5_hh(c, d, a, b, x[15], 16, 0x1fa27cf8u);
    b = md5_hh(b, c, d, a, x[2], 23, 0xc4ac5665u);
    a = md5_ii(a, b, c, d, x[0], 6, 0xf4292244u);
    d = md5_ii(d, a, b, c, x[7], 10, 0x432aff97u);
    c = md5_ii(c, d, a, b, x[14], 15, 0xab9423a7u);
    b = md5_ii(b, c, d, a, x[5], 21, 0xfc93a039u);
    a = md5_ii(a, b, c, d, x[12], 6, 0x655b59c3u);
    d = md5_ii(d, a, b, c, x[3], 10, 0x8f0ccc92u);
    c = md5_ii(c, d, a, b, x[10], 15, 0xffeff47du);
    b = md5_ii(b, c, d, a, x[1], 21, 0x85845dd1u);
    a = md5_ii(a, b, c, d, x[8], 6, 0x6fa87e4fu);
    d = md5_ii(d, a, b, c, x[15], 10, 0xfe2ce6e0u);
    c = md5_ii(c, d, a, b, x[6], 15, 0xa3014314u);
    b = md5_ii(b, c, d, a, x[13], 21, 0x4e0811a1u);
    a = md5_ii(a, b, c, d, x[4], 6, 0xf7537e82u);
    d = md5_ii(d, a, b, c, x[11], 10, 0xbd3af235u);
    c = md5_ii(c, d, a, b, x[2], 15, 0x2ad7d2bbu);
    b = md5_ii(b, c, d, a, x[9], 21, 0xeb86d391u);
    a += 0x67452301u;
    b += 0xefcdab89u;
    c += 0x98badcfeu;
    d += 0x10325476u;
    return a ^ b ^ c ^ d;
}
