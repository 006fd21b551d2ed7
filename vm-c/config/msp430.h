/* Example board settings for an MSP430G2553 LaunchPad (16 KB flash, 512 B RAM)
 * keeping the app image in flash (memory-mapped: a plain pointer), used by the
 * size checks (vm-c/tools/sizes.sh). */
#ifndef ALKY_CONFIG_MSP430_H
#define ALKY_CONFIG_MSP430_H

#define ALKY_STACK_SIZE 160
#define ALKY_MEMORY_SIZE 64
#define ALKY_PROFILE_ID 2 /* smartlock */
#define ALKY_WITH_NCALL 1

#endif
