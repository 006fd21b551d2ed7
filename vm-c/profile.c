/* The device profiles this build carries (ALKY_PROFILE_ID), as one blob of
 * flash generated from compiler/profiles/profiles.ts (layout in
 * generated/alky_profiles.h), and lookups in it for the verifier and the HAL. */
#include "alky_internal.h"

#define NO_OFFSET 0xFFFF

static const uint8_t ALKY_PROGMEM profiles_blob[] = {ALKY_PROFILES_BLOB};


uint8_t alky_profile_byte(uint16_t off) {
    return ALKY_PROGMEM_U8(&profiles_blob[off]);
}

static uint16_t blob_u16(uint16_t off) {
    return (uint16_t)(alky_profile_byte(off) | ((uint16_t)alky_profile_byte((uint16_t)(off + 1)) << 8));
}

/* A profile's header (alky_profiles.h): id, event count, syscall count,
 * length, offset of its syscalls; its events follow. */
#define PROFILE_LENGTH 4
#define PROFILE_SYSCALLS 6
#define PROFILE_EVENTS 7

uint16_t alky_profile_find(uint16_t id) {
    uint16_t off = 0, pid;
    while ((pid = blob_u16(off)) != 0xFFFF) {
        if (pid == id) return off;
        off = (uint16_t)(off + blob_u16((uint16_t)(off + PROFILE_LENGTH)));
    }
    return NO_OFFSET;
}

/* Events and syscalls start alike: id, parameter count, parameter types; a
 * syscall goes on with its result, flags, name length and name. */
uint16_t alky_profile_item(uint16_t profile, uint8_t syscall, uint8_t id) {
    uint16_t off = (uint16_t)(profile + (syscall ? alky_profile_byte((uint16_t)(profile + PROFILE_SYSCALLS)) : PROFILE_EVENTS));
    uint8_t i, n = alky_profile_byte((uint16_t)(profile + 2 + syscall));
    for (i = 0; i < n; i++) {
        uint16_t end = (uint16_t)(off + 2 + alky_profile_byte((uint16_t)(off + 1)));
        if (alky_profile_byte(off) == id) return off;
        off = syscall ? (uint16_t)(end + 3 + alky_profile_byte((uint16_t)(end + 2))) : end;
    }
    return NO_OFFSET;
}
