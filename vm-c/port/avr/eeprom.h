/* EEPROM of the ATmega328P (1 KB): persistent storage for the app store and
 * contract storage. Writes only touch bytes that change (each EEPROM cell
 * takes about 3.4 ms and ~100k writes); simavr models the same timing, and
 * scripts/harness/simavr_uart.c --eeprom FILE keeps the contents across runs. */
#ifndef ALKY_AVR_EEPROM_H
#define ALKY_AVR_EEPROM_H

#include <stdint.h>

#define ALKY_EEPROM_SIZE 1024u

/* Copies length bytes from EEPROM address into dst; 0 if out of range. */
uint8_t alky_eeprom_read(uint16_t address, void *dst, uint16_t length);

/* Writes length bytes at address, skipping bytes that already hold the value;
 * blocks until done. 0 if out of range (nothing written then). */
uint8_t alky_eeprom_write(uint16_t address, const void *src, uint16_t length);

uint8_t alky_eeprom_read_byte(uint16_t address);

#endif
