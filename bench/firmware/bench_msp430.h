/* VM configuration of the MSP430G2553 benchmark firmwares
 * (bench/firmware/bench_vm.c): the LaunchPad device's features
 * (vm-c/config/lpmsp430g2553.h: 8/16/32-bit, no storage), the image in
 * memory-mapped flash. Without the device's verifier: it would run before
 * the first marker, so the figures (cycles between the markers) are the
 * same without it. The app memory and the VM stack are sized
 * per kernel by the build (-DALKY_MEMORY_SIZE, -DALKY_STACK_SIZE): the
 * device's 64 and 48 bytes hold the smart lock, not the benchmarks. */
#ifndef BENCH_MSP430_H
#define BENCH_MSP430_H

#define ALKY_PROFILE_ID 0
#define ALKY_WITH_W64 0
#define ALKY_WITH_W256 0
#define ALKY_WITH_STORAGE 0
#define ALKY_WITH_VERIFY 0

#endif
