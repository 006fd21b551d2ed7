/* The link-device firmware for the MSP430G2553 LaunchPad (16 KB flash,
 * 512 B RAM; vm-c/port/msp430/main.c). The app store is two 512 B segments
 * of main flash the linker script keeps free (msp430g2553.ld, STORE); the
 * image is memory-mapped, so the VM reads it through a plain pointer. */
#ifndef ALKY_CONFIG_LPMSP430G2553_H
#define ALKY_CONFIG_LPMSP430G2553_H

#define ALKY_DEVICE_BOARD ALKY_BOARD_LPMSP430G2553

/* Every profile: the emulated board runs the conformance tests (test
 * profile) as well as the smart lock; a product build names its profile. */
#define ALKY_PROFILE_ID 0
/* ...but not the Aryl node's own (vm_config.h): 172 bytes of flash on the Uno. */
#define ALKY_WITH_NODE_PROFILES 0
/* RAM: the smart lock needs 41 bytes of memory and a 22-byte entry frame;
 * the C stack needs about 175 bytes while a syscall is reported or an image
 * verified (measured in the simulator: RAM starts as 0xFF), so the VM stack
 * gets only 48. */
#define ALKY_MEMORY_SIZE 64
#define ALKY_STACK_SIZE 48
#define ALKY_LINK_MAX_PAYLOAD 40 /* the protocol's minimum */
/* Flash: 8/16/32-bit only; no contract storage (a flash segment would need
 * a 64-byte RAM copy or a spare segment to rewrite one byte). */
#define ALKY_WITH_W64 0
#define ALKY_WITH_W256 0
#define ALKY_WITH_STORAGE 0
/* The verifier runs on every image before it is stored, as on the Uno
 * (it fits since the size pass of docs/performance.md); its list of operand
 * widths lives in the VM stack arena, so a function deeper than
 * ALKY_STACK_SIZE values is refused (limit), as it could not run here.
 * Two builds of this board have no room for it and trust the node's
 * verifier (compiler/ir/verify.ts, the same rules), keeping the container's
 * integrity checks (sizes, CRC-32): the AOT firmware (ALKY_DEVICE_CALL_RUN,
 * vm-c/aot/: the 0.4 KB of flash left is less than most apps' code, 0.4 to
 * 1.8 KB), and the smart-lock firmware with the LaunchPad's drivers
 * (ALKY_SMARTLOCK_DRIVERS): with it, 577 B over the 13824 of FLASH and
 * short of C stack (344 B of static RAM; docs/boards.md, at 22ad674). */
#ifndef ALKY_WITH_VERIFY
#if defined(ALKY_DEVICE_CALL_RUN) || (defined(ALKY_SMARTLOCK_DRIVERS) && ALKY_SMARTLOCK_DRIVERS)
#define ALKY_WITH_VERIFY 0
#else
#define ALKY_WITH_VERIFY 1
#endif
#endif
/* With the verifier, the header parse stays out of line (vm_config.h): the
 * verifier's calls under LOAD_COMMIT (main, alky_attach, check_code) then
 * take 172 bytes of C stack, as a syscall report does, not 196 (the 200
 * left by the static RAM would keep 4 untouched). */
#define ALKY_PARSE_OUT_OF_LINE ALKY_WITH_VERIFY
/* The watchdog (port/msp430/main.c) is restarted before every VM instruction:
 * WDTCTL = WDTPW | WDTCNTCL | WDTSSEL (board.h), watchdog mode, ACLK / 32768. */
#define ALKY_PORT_TICK() (*(volatile uint16_t *)0x0120 = 0x5A0Cu)

/* Bytes of the STORE region of msp430g2553.ld. */
#define ALKY_MSP430_STORE_BYTES 2048u

#endif
