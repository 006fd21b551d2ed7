/* simavr_bench: runs an AVR benchmark firmware in libsimavr to its end and
 * reports, with the simulated cycle counter, every value the firmware writes
 * to the general-purpose I/O registers GPIOR0 and GPIOR1 (the markers and the
 * result of bench/firmware/bench_marker.h).
 *
 * Build: gcc -O2 -o simavr_bench simavr_bench.c $(pkg-config --cflags --libs simavr) -lelf
 * (compiler/bench/simavr-bench.ts builds it on first use into build/harness/).
 *
 * Usage: simavr_bench [--mcu NAME] [--freq HZ] [--timeout-cycles N] firmware.elf
 *
 * Output on stdout, one line per write, in order:
 *   io <register> <value> <cycle>
 * <register> is 0 (GPIOR0) or 1 (GPIOR1), <value> the byte written, <cycle>
 * the cycle counter before the writing instruction ran (simavr adds an
 * instruction's cycles after it has executed); then "end <cycle>".
 *
 * Exit codes: 0 the firmware slept with interrupts off (its end); 1 usage or
 * harness error; 2 the firmware could not be loaded; 3 crashed (invalid
 * opcode, bad memory access, simavr's own crash state); 5 cycle limit. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_avr.h"
#include "sim_elf.h"

enum { EXIT_DONE = 0, EXIT_HARNESS = 1, EXIT_LOAD = 2, EXIT_CRASHED = 3, EXIT_CYCLE_LIMIT = 5 };

/* Data-space addresses of GPIOR0 and GPIOR1 on the ATmega48/88/168/328 family. */
#define GPIOR0_DATA 0x3E
#define GPIOR1_DATA 0x4A

static const char *crash_reason;
static char crash_detail[160];

/* simavr reports an invalid opcode or a stray access only through its log:
 * such a message ends the run as a crash. */
static void bench_logger(avr_t *avr, const int level, const char *format, va_list ap) {
  (void)avr;
  if (level <= LOG_ERROR && !crash_reason &&
      (strstr(format, "Invalid Opcode") || strstr(format, "Invalid write address") ||
       strstr(format, "Invalid read address") || strstr(format, "crash"))) {
    vsnprintf(crash_detail, sizeof crash_detail, format, ap);
    crash_detail[strcspn(crash_detail, "\n")] = 0;
    crash_reason = crash_detail;
  }
}

static void on_gpior_write(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param) {
  avr->data[addr] = v; /* a write callback stores the value itself */
  printf("io %d %u %" PRIu64 "\n", (int)(intptr_t)param, v, (uint64_t)avr->cycle);
}

int main(int argc, char **argv) {
  const char *mcu = "atmega328p";
  unsigned long freq = 16000000ul;
  uint64_t limit = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--mcu") && i + 1 < argc) mcu = argv[++i];
    else if (!strcmp(argv[i], "--freq") && i + 1 < argc) freq = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--timeout-cycles") && i + 1 < argc) limit = strtoull(argv[++i], NULL, 10);
    else if (argv[i][0] != '-' && !path) path = argv[i];
    else {
      fprintf(stderr, "simavr_bench: usage: simavr_bench [--mcu NAME] [--freq HZ] [--timeout-cycles N] firmware.elf\n");
      return EXIT_HARNESS;
    }
  }
  if (!path) {
    fprintf(stderr, "simavr_bench: no firmware given\n");
    return EXIT_HARNESS;
  }
  avr_global_logger_set(bench_logger);
  elf_firmware_t fw;
  memset(&fw, 0, sizeof fw);
  if (elf_read_firmware(path, &fw) != 0) {
    fprintf(stderr, "simavr_bench: cannot read %s\n", path);
    return EXIT_LOAD;
  }
  avr_t *avr = avr_make_mcu_by_name(mcu);
  if (!avr) {
    fprintf(stderr, "simavr_bench: unknown MCU %s\n", mcu);
    return EXIT_LOAD;
  }
  avr_init(avr);
  avr->frequency = (uint32_t)freq;
  avr_load_firmware(avr, &fw);
  avr_register_io_write(avr, GPIOR0_DATA, on_gpior_write, (void *)(intptr_t)0);
  avr_register_io_write(avr, GPIOR1_DATA, on_gpior_write, (void *)(intptr_t)1);
  for (;;) {
    int state = avr_run(avr);
    if (crash_reason) {
      fprintf(stderr, "simavr_bench: crashed at cycle %" PRIu64 ": %s\n", (uint64_t)avr->cycle, crash_reason);
      return EXIT_CRASHED;
    }
    if (state == cpu_Done) break;
    if (state == cpu_Crashed) {
      fprintf(stderr, "simavr_bench: crashed at cycle %" PRIu64 "\n", (uint64_t)avr->cycle);
      return EXIT_CRASHED;
    }
    if (limit && avr->cycle >= limit) {
      fprintf(stderr, "simavr_bench: cycle limit %" PRIu64 " reached\n", limit);
      return EXIT_CYCLE_LIMIT;
    }
  }
  printf("end %" PRIu64 "\n", (uint64_t)avr->cycle);
  return EXIT_DONE;
}
