/* Run-time writes to the MSP430G2553's flash: persistent storage (app store,
 * contract storage) in information memory (segments D, C, B: 0x1000-0x10BF,
 * 64 bytes each) or in main flash (512-byte segments from 0xC000).
 *
 * Flash bits only go from 1 to 0; erase sets a whole segment back to 0xFF.
 * Segment A (0x10C0) holds the DCO calibration and is refused, as is any
 * address outside information memory and main flash.
 *
 * mspdebug's simulator has no flash controller: writes land like RAM writes
 * and the erase cycle does nothing. Build with -DALKY_MSP430_SIM=1 for the
 * simulator and erase also fills the segment with 0xFF by plain stores, so
 * code sees the same contents as on the chip. */
#ifndef ALKY_MSP430_FLASH_H
#define ALKY_MSP430_FLASH_H

#include <stdint.h>

#define ALKY_FLASH_INFO_START 0x1000u
#define ALKY_FLASH_INFO_END 0x10C0u /* segment A excluded */
#define ALKY_FLASH_INFO_SEGMENT 64u
#define ALKY_FLASH_MAIN_START 0xC000u
#define ALKY_FLASH_MAIN_END 0xFFE0u /* vectors excluded */
#define ALKY_FLASH_MAIN_SEGMENT 512u

/* Erases the segment holding address. 0 if the address is not writable. */
uint8_t alky_flash_erase_segment(uint16_t address);

/* Programs length bytes at address (which must be erased, or only clear
 * bits). 0 if any byte is outside the writable areas (nothing written). */
uint8_t alky_flash_write(uint16_t address, const uint8_t *bytes, uint16_t length);

#endif
