/* Integer helper routines clang calls on the MSP430G2553 (no hardware
 * multiplier, no libgcc in Debian): the MSP430 EABI names (__mspabi_*) for
 * multiply, divide, remainder and 32-bit shifts, and libgcc's names for the
 * 64-bit shifts, which is what clang 14 emits for them.
 *
 * Rules that keep this file correct:
 * - No operator here may compile back into the helper that contains it: only
 *   shifts by the constant 1, additions, subtractions, comparisons and
 *   16-bit limb access through unions (never a variable shift or a `*`/`/`
 *   on the width being implemented). `nm` on this object must show no
 *   undefined symbol other than the lower-width helpers it names in comments.
 * - Division by zero is undefined in C; here it gives quotient 0 and the
 *   dividend as remainder (the VM checks for zero itself, per the EVM rules).
 *   The most negative value divided by -1 wraps to itself.
 * - 64-bit multiply/divide/remainder use LLVM's MSP430_BUILTIN convention
 *   (first operand in R8:R11, second in R12:R15, result in R12:R15); C cannot
 *   declare that, so naked assembly shims move the operands into the ordinary
 *   C convention and call the C implementations below. */
#include <stdint.h>

#define EXPORT __attribute__((used))

typedef union {
  uint32_t value;
  uint16_t word[2]; /* little-endian: word[0] is the low half */
} limbs32;

typedef union {
  uint64_t value;
  uint16_t word[4];
} limbs64;

/* ---- multiply ---- */

/* 16x16 -> 32 by shift and add; the building block of every product. */
static uint32_t mul_u16_u16(uint16_t a, uint16_t b) {
  uint32_t product = 0;
  uint32_t addend = a;
  while (b != 0) {
    if (b & 1u) {
      product += addend;
    }
    addend <<= 1;
    b >>= 1;
  }
  return product;
}

EXPORT int16_t __mspabi_mpyi(int16_t a, int16_t b) {
  uint16_t product = 0;
  uint16_t addend = (uint16_t)a;
  uint16_t bits = (uint16_t)b;
  while (bits != 0) {
    if (bits & 1u) {
      product = (uint16_t)(product + addend);
    }
    addend = (uint16_t)(addend << 1);
    bits >>= 1;
  }
  return (int16_t)product;
}

/* Low 32 bits of a 32x32 product: the high*high term falls off the end.
 * The cross terms are 16-bit products (__mspabi_mpyi). */
EXPORT int32_t __mspabi_mpyl(int32_t a, int32_t b) {
  limbs32 x = {.value = (uint32_t)a};
  limbs32 y = {.value = (uint32_t)b};
  limbs32 result = {.value = mul_u16_u16(x.word[0], y.word[0])};
  uint16_t cross = (uint16_t)((uint16_t)(x.word[0] * y.word[1]) + (uint16_t)(x.word[1] * y.word[0]));
  result.word[1] = (uint16_t)(result.word[1] + cross);
  return (int32_t)result.value;
}

/* Schoolbook on 16-bit limbs, keeping only the low 64 bits. A column sum
 * r + a*b + carry is at most 0xFFFF + 0xFFFE0001 + 0xFFFF, which fits 32 bits. */
__attribute__((noinline)) static uint64_t mul_u64(uint64_t a, uint64_t b) {
  limbs64 x = {.value = a};
  limbs64 y = {.value = b};
  limbs64 r = {.value = 0};
  for (uint8_t i = 0; i < 4; i++) {
    uint32_t carry = 0;
    for (uint8_t j = 0; (uint8_t)(i + j) < 4; j++) {
      uint32_t t = (uint32_t)r.word[i + j] + mul_u16_u16(x.word[i], y.word[j]) + carry;
      limbs32 split = {.value = t};
      r.word[i + j] = split.word[0];
      carry = split.word[1];
    }
  }
  return r.value;
}

/* ---- divide ---- */

__attribute__((noinline)) static uint16_t divmod_u16(uint16_t n, uint16_t d, uint16_t *remainder) {
  if (d == 0) {
    *remainder = n;
    return 0;
  }
  uint16_t q = 0;
  uint16_t r = 0;
  for (uint8_t i = 0; i < 16; i++) {
    /* r can exceed 15 bits when d does: keep the bit shifted out. */
    uint8_t overflow = (r & 0x8000u) != 0;
    r = (uint16_t)((r << 1) | ((n & 0x8000u) ? 1u : 0u));
    n = (uint16_t)(n << 1);
    q = (uint16_t)(q << 1);
    if (overflow || r >= d) {
      r = (uint16_t)(r - d);
      q |= 1u;
    }
  }
  *remainder = r;
  return q;
}

__attribute__((noinline)) static uint32_t divmod_u32(uint32_t n, uint32_t d, uint32_t *remainder) {
  if (d == 0) {
    *remainder = n;
    return 0;
  }
  uint32_t q = 0;
  uint32_t r = 0;
  for (uint8_t i = 0; i < 32; i++) {
    uint8_t overflow = (r & 0x80000000UL) != 0;
    r = (r << 1) | ((n & 0x80000000UL) ? 1u : 0u);
    n <<= 1;
    q <<= 1;
    if (overflow || r >= d) {
      r -= d;
      q |= 1u;
    }
  }
  *remainder = r;
  return q;
}

__attribute__((noinline)) static uint64_t divmod_u64(uint64_t n, uint64_t d, uint64_t *remainder) {
  if (d == 0) {
    *remainder = n;
    return 0;
  }
  uint64_t q = 0;
  uint64_t r = 0;
  for (uint8_t i = 0; i < 64; i++) {
    uint8_t overflow = (r & 0x8000000000000000ULL) != 0;
    r = (r << 1) | ((n & 0x8000000000000000ULL) ? 1u : 0u);
    n <<= 1;
    q <<= 1;
    if (overflow || r >= d) {
      r -= d;
      q |= 1u;
    }
  }
  *remainder = r;
  return q;
}

EXPORT uint16_t __mspabi_divu(uint16_t n, uint16_t d) {
  uint16_t r;
  return divmod_u16(n, d, &r);
}

EXPORT uint16_t __mspabi_remu(uint16_t n, uint16_t d) {
  uint16_t r;
  (void)divmod_u16(n, d, &r);
  return r;
}

/* Signed division truncates toward zero; the remainder takes the dividend's
 * sign. Magnitudes are computed in unsigned arithmetic, where negating the
 * most negative value is well defined. */
EXPORT int16_t __mspabi_divi(int16_t n, int16_t d) {
  uint16_t un = n < 0 ? (uint16_t)(0u - (uint16_t)n) : (uint16_t)n;
  uint16_t ud = d < 0 ? (uint16_t)(0u - (uint16_t)d) : (uint16_t)d;
  uint16_t r;
  uint16_t q = divmod_u16(un, ud, &r);
  return (int16_t)(((n < 0) != (d < 0)) ? (uint16_t)(0u - q) : q);
}

EXPORT int16_t __mspabi_remi(int16_t n, int16_t d) {
  uint16_t un = n < 0 ? (uint16_t)(0u - (uint16_t)n) : (uint16_t)n;
  uint16_t ud = d < 0 ? (uint16_t)(0u - (uint16_t)d) : (uint16_t)d;
  uint16_t r;
  (void)divmod_u16(un, ud, &r);
  return (int16_t)(n < 0 ? (uint16_t)(0u - r) : r);
}

EXPORT uint32_t __mspabi_divul(uint32_t n, uint32_t d) {
  uint32_t r;
  return divmod_u32(n, d, &r);
}

EXPORT uint32_t __mspabi_remul(uint32_t n, uint32_t d) {
  uint32_t r;
  (void)divmod_u32(n, d, &r);
  return r;
}

EXPORT int32_t __mspabi_divli(int32_t n, int32_t d) {
  uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  uint32_t r;
  uint32_t q = divmod_u32(un, ud, &r);
  return (int32_t)(((n < 0) != (d < 0)) ? 0u - q : q);
}

EXPORT int32_t __mspabi_remli(int32_t n, int32_t d) {
  uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  uint32_t r;
  (void)divmod_u32(un, ud, &r);
  return (int32_t)(n < 0 ? 0u - r : r);
}

/* The C halves of the 64-bit builtins; called only by the shims below. */
EXPORT uint64_t alky_mspabi_mpyll(uint64_t a, uint64_t b) {
  return mul_u64(a, b);
}

EXPORT uint64_t alky_mspabi_divull(uint64_t n, uint64_t d) {
  uint64_t r;
  return divmod_u64(n, d, &r);
}

EXPORT uint64_t alky_mspabi_remull(uint64_t n, uint64_t d) {
  uint64_t r;
  (void)divmod_u64(n, d, &r);
  return r;
}

/* Shared by the signed 64-bit pair so the long negations exist once. */
__attribute__((noinline)) static uint64_t negate_u64_if(uint64_t v, uint8_t negate) {
  return negate ? 0u - v : v;
}

EXPORT int64_t alky_mspabi_divlli(int64_t n, int64_t d) {
  uint64_t r;
  uint64_t q = divmod_u64(negate_u64_if((uint64_t)n, n < 0), negate_u64_if((uint64_t)d, d < 0), &r);
  return (int64_t)negate_u64_if(q, (n < 0) != (d < 0));
}

EXPORT int64_t alky_mspabi_remlli(int64_t n, int64_t d) {
  uint64_t r;
  (void)divmod_u64(negate_u64_if((uint64_t)n, n < 0), negate_u64_if((uint64_t)d, d < 0), &r);
  return (int64_t)negate_u64_if(r, n < 0);
}

/* Shim: operands arrive as a = R8:R11, b = R12:R15. The C function wants a in
 * R12:R15 and b on the stack (lowest word at the lowest address, just above
 * the return address). R8-R10 are callee-saved in C; R11 is saved here, so
 * the shim clobbers nothing but the result registers. */
#define BUILTIN_SHIM(name, target)                                          \
  __attribute__((naked, used)) void name(void) {                           \
    __asm__ volatile("push r11\n\t"                                         \
                     "push r15\n\t"                                         \
                     "push r14\n\t"                                         \
                     "push r13\n\t"                                         \
                     "push r12\n\t"                                         \
                     "mov r8, r12\n\t"                                      \
                     "mov r9, r13\n\t"                                      \
                     "mov r10, r14\n\t"                                     \
                     "mov r11, r15\n\t"                                     \
                     "call #" #target "\n\t"                                \
                     "add #8, r1\n\t"                                       \
                     "pop r11\n\t"                                          \
                     "ret");                                                \
  }

BUILTIN_SHIM(__mspabi_mpyll, alky_mspabi_mpyll)
BUILTIN_SHIM(__mspabi_divull, alky_mspabi_divull)
BUILTIN_SHIM(__mspabi_remull, alky_mspabi_remull)
BUILTIN_SHIM(__mspabi_divlli, alky_mspabi_divlli)
BUILTIN_SHIM(__mspabi_remlli, alky_mspabi_remlli)

/* ---- shifts ---- */
/* Counts beyond the width are undefined in C; they are masked like the
 * hardware-free reference (count mod width). Whole 16-bit limbs move first,
 * then single-bit steps, so no helper needs a variable shift. */

EXPORT int16_t __mspabi_slli(int16_t a, int16_t count) {
  uint16_t v = (uint16_t)a;
  for (uint8_t n = (uint8_t)(count & 15); n != 0; n--) {
    v = (uint16_t)(v << 1);
  }
  return (int16_t)v;
}

EXPORT uint16_t __mspabi_srli(uint16_t a, int16_t count) {
  for (uint8_t n = (uint8_t)(count & 15); n != 0; n--) {
    a >>= 1;
  }
  return a;
}

EXPORT int16_t __mspabi_srai(int16_t a, int16_t count) {
  for (uint8_t n = (uint8_t)(count & 15); n != 0; n--) {
    a >>= 1; /* arithmetic on clang for msp430 (rra) */
  }
  return a;
}

EXPORT uint32_t __mspabi_slll(uint32_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 31);
  limbs32 v = {.value = a};
  if (n >= 16) {
    v.word[1] = v.word[0];
    v.word[0] = 0;
    n -= 16;
  }
  for (; n != 0; n--) {
    v.value <<= 1;
  }
  return v.value;
}

EXPORT uint32_t __mspabi_srll(uint32_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 31);
  limbs32 v = {.value = a};
  if (n >= 16) {
    v.word[0] = v.word[1];
    v.word[1] = 0;
    n -= 16;
  }
  for (; n != 0; n--) {
    v.value >>= 1;
  }
  return v.value;
}

EXPORT int32_t __mspabi_sral(int32_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 31);
  limbs32 v = {.value = (uint32_t)a};
  if (n >= 16) {
    v.word[0] = v.word[1];
    v.word[1] = (v.word[1] & 0x8000u) ? 0xFFFFu : 0u;
    n -= 16;
  }
  int32_t s = (int32_t)v.value;
  for (; n != 0; n--) {
    s >>= 1;
  }
  return s;
}

/* libgcc's 64-bit shifts (clang 14 calls these, not __mspabi_sllll & co.). */
EXPORT uint64_t __ashldi3(uint64_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 63);
  limbs64 v = {.value = a};
  while (n >= 16) {
    v.word[3] = v.word[2];
    v.word[2] = v.word[1];
    v.word[1] = v.word[0];
    v.word[0] = 0;
    n -= 16;
  }
  for (; n != 0; n--) {
    v.value <<= 1;
  }
  return v.value;
}

EXPORT uint64_t __lshrdi3(uint64_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 63);
  limbs64 v = {.value = a};
  while (n >= 16) {
    v.word[0] = v.word[1];
    v.word[1] = v.word[2];
    v.word[2] = v.word[3];
    v.word[3] = 0;
    n -= 16;
  }
  for (; n != 0; n--) {
    v.value >>= 1;
  }
  return v.value;
}

EXPORT int64_t __ashrdi3(int64_t a, int16_t count) {
  uint8_t n = (uint8_t)(count & 63);
  limbs64 v = {.value = (uint64_t)a};
  uint16_t fill = (v.word[3] & 0x8000u) ? 0xFFFFu : 0u;
  while (n >= 16) {
    v.word[0] = v.word[1];
    v.word[1] = v.word[2];
    v.word[2] = v.word[3];
    v.word[3] = fill;
    n -= 16;
  }
  int64_t s = (int64_t)v.value;
  for (; n != 0; n--) {
    s >>= 1;
  }
  return s;
}
