/* simavr_uart: runs an AVR firmware in libsimavr with USART0 wired to the
 * host, byte-exactly, for the AlkyVM link protocol.
 *
 * Build: gcc -O2 -o simavr_uart simavr_uart.c $(pkg-config --cflags --libs simavr) -lelf
 * (compiler/engines/simavr.ts builds it on first use into build/harness/).
 *
 * Usage: simavr_uart [options] firmware.elf
 *   --mcu NAME           MCU (default atmega328p)
 *   --freq HZ            clock (default 16000000)
 *   --pty                bridge the UART to a new pseudo-terminal; its path is
 *                        printed on stderr as "PTY /dev/pts/N"
 *   --timeout-cycles N   stop after N simulated cycles (exit 5)
 *   --timeout-ms N       stop after N ms of wall-clock time (exit 6)
 *   --cycles             print "cycles N" on stderr at exit
 *   --eeprom FILE        load EEPROM from FILE if it exists; save it at exit
 *   --eeprom-cut N[:V]   (ATmega328P) the power fails on the Nth EEPROM byte
 *                        the firmware writes: FILE gets the EEPROM as the
 *                        writes before it left it, that byte keeping its old
 *                        value (or V: 255 is a cell erased, not yet written),
 *                        and the run ends at once with exit 7 and nothing more
 *                        sent. N 0: no cut; "eeprom-writes <n>" on stderr at exit
 *   --verbose            pass simavr's trace log through to stderr
 *   --keypad ROWS:COLS   a matrix keypad on the I/O ports, e.g. D4,D5,D6,D7:B0,B1,B2:
 *                        a column input reads low while a pressed key's row
 *                        output is low. With --pty, stdin takes commands, one
 *                        a line: "press R C", "release R C" (0-based)
 *   --watch PINS         print "PIN <port><bit> <0|1>" on stderr whenever one of
 *                        these outputs changes, e.g. --watch B5,B4
 *
 * Channels: without --pty, stdin and stdout carry only the UART's bytes.
 * Everything else goes to stderr, one line each: "READY" once the firmware is
 * loaded, "PTY <path>", "cycles <n>" (at exit with --cycles, and whenever the
 * process gets SIGUSR1), and a final "simavr_uart: <reason>" when the run
 * ends for any reason other than the host closing stdin.
 *
 * Exit codes (the TypeScript driver maps them to error kinds):
 *   0 finished: the firmware slept with interrupts off, stdin reached EOF
 *     and the firmware then stayed silent for 10 ms of simulated time, or
 *     SIGTERM/SIGINT asked us to stop (output flushed, EEPROM saved)
 *   1 harness error (usage, I/O)    2 firmware could not be loaded
 *   3 crashed: invalid opcode, PC outside flash, bad memory access
 *   4 halted: a jump-to-self with interrupts off (main returned, exit())
 *   5 cycle limit reached           6 wall-clock limit reached
 *   7 power cut (--eeprom-cut)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_eeprom.h"
#include "avr_ioport.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_time.h"

enum {
  EXIT_FINISHED = 0,
  EXIT_HARNESS = 1,
  EXIT_LOAD = 2,
  EXIT_CRASHED = 3,
  EXIT_HALTED = 4,
  EXIT_CYCLE_LIMIT = 5,
  EXIT_WALL_LIMIT = 6,
  EXIT_POWER_CUT = 7,
};

/* Instructions run between two looks at the host side. Small enough for a
 * prompt echo, large enough that poll() costs little. */
#define STEPS_PER_SLICE 4096
/* After stdin closes: how long the firmware may stay silent before we stop. */
#define DRAIN_QUIET_USEC 10000
#define OUT_CAP (1u << 20)
/* A pty with no reader must not make us block: beyond this we drop output. */
#define PTY_OUT_LIMIT (64u * 1024u)

typedef struct {
  uint8_t *data;
  size_t len;
  size_t cap;
} byte_buf;

static struct {
  avr_t *avr;
  avr_irq_t *uart_input;
  int in_fd;  /* host -> firmware */
  int out_fd; /* firmware -> host */
  int pty_mode;
  int pty_slave_fd; /* held open so the master never sees EIO/HUP */
  int in_eof;
  int uart_can_take; /* XON seen and no XOFF since */
  byte_buf pending_in;
  size_t pending_in_pos;
  byte_buf out;
  int out_dropped_warned;
  const char *crash_reason; /* set by the simavr logger */
  char crash_detail[160];
  uint64_t drain_until_cycle;
  /* Real-time pacing of sleep: simulated time is kept from running ahead of
   * the wall clock while the firmware sleeps. */
  uint64_t pace_base_cycle;
  uint64_t pace_base_usec;
  int verbose;
} h;

static volatile sig_atomic_t cycles_requested;
static volatile sig_atomic_t stop_requested;

static void on_sigusr1(int sig) {
  (void)sig;
  cycles_requested = 1;
}

/* SIGTERM/SIGINT end the run cleanly: output flushed, EEPROM saved. */
static void on_stop_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static uint64_t now_usec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(int code, const char *fmt, ...) {
  va_list ap;
  fputs("simavr_uart: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(code);
}

static void buf_append(byte_buf *b, const uint8_t *bytes, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) {
      cap *= 2;
    }
    uint8_t *grown = realloc(b->data, cap);
    if (!grown) {
      die(EXIT_HARNESS, "out of memory");
    }
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
}

static void buf_consume(byte_buf *b, size_t n) {
  memmove(b->data, b->data + n, b->len - n);
  b->len -= n;
}

/* ---- simavr hooks ---- */

/* simavr logs through here; crashes it only logs (an invalid opcode, a stray
 * memory access) become a crash of the run. */
static void harness_logger(avr_t *avr, const int level, const char *format, va_list ap) {
  (void)avr;
  if (level <= LOG_ERROR &&
      (strstr(format, "Invalid Opcode") || strstr(format, "Invalid write address") ||
       strstr(format, "Invalid read address") || strstr(format, "crash"))) {
    if (!h.crash_reason) {
      va_list copy;
      va_copy(copy, ap);
      vsnprintf(h.crash_detail, sizeof(h.crash_detail), format, copy);
      va_end(copy);
      /* strip colour codes and the trailing newline for a one-line message */
      char *src = h.crash_detail, *dst = h.crash_detail;
      while (*src) {
        if (*src == '\x1b') {
          while (*src && *src != 'm') src++;
          if (*src) src++;
          continue;
        }
        if (*src != '\n') *dst++ = *src;
        src++;
      }
      *dst = 0;
      h.crash_reason = h.crash_detail;
    }
    return; /* reported once, cleanly, when the run ends */
  }
  if (h.verbose || level <= LOG_ERROR) {
    vfprintf(stderr, format, ap);
  }
}

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  uint8_t byte = (uint8_t)value;
  buf_append(&h.out, &byte, 1);
  if (h.in_eof) {
    h.drain_until_cycle = h.avr->cycle + avr_usec_to_cycles(h.avr, DRAIN_QUIET_USEC);
  }
}

/* Hands queued host bytes to the UART while it accepts them. simavr's input
 * FIFO raises XOFF when full and XON when it has drained; bytes raised while
 * XOFF (or before the firmware enables the receiver) would be lost. */
static void feed_uart(void) {
  while (h.uart_can_take && h.pending_in_pos < h.pending_in.len) {
    uint8_t byte = h.pending_in.data[h.pending_in_pos++];
    avr_raise_irq(h.uart_input, byte);
  }
  if (h.pending_in_pos == h.pending_in.len) {
    h.pending_in.len = 0;
    h.pending_in_pos = 0;
  }
}

static void on_uart_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)value;
  (void)param;
  h.uart_can_take = 1;
  feed_uart();
}

static void on_uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  if (value) {
    h.uart_can_take = 0;
  }
}

/* ---- host side ---- */

static void flush_output(void) {
  while (h.out.len > 0) {
    ssize_t n = write(h.out_fd, h.out.data, h.out.len);
    if (n > 0) {
      buf_consume(&h.out, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (h.pty_mode) {
        if (h.out.len > PTY_OUT_LIMIT) {
          if (!h.out_dropped_warned) {
            fprintf(stderr, "simavr_uart: nobody reads the pty; dropping UART output\n");
            h.out_dropped_warned = 1;
          }
          h.out.len = 0;
        }
        return;
      }
      if (h.out.len < OUT_CAP) {
        return;
      }
      /* A pipe reader that stopped reading: wait rather than grow forever. */
      struct pollfd p = {.fd = h.out_fd, .events = POLLOUT};
      poll(&p, 1, 100);
      continue;
    }
    if (n < 0 && errno == EPIPE) {
      exit(EXIT_FINISHED); /* the host went away */
    }
    die(EXIT_HARNESS, "writing UART output: %s", strerror(errno));
  }
}

/* Reads what the host has sent; waits at most timeout_ms for it. */
static void poll_host(int timeout_ms) {
  if (h.in_eof) {
    if (timeout_ms > 0) {
      poll(NULL, 0, timeout_ms);
    }
    return;
  }
  struct pollfd p = {.fd = h.in_fd, .events = POLLIN};
  int ready = poll(&p, 1, timeout_ms);
  if (ready <= 0) {
    return;
  }
  uint8_t chunk[4096];
  for (;;) {
    ssize_t n = read(h.in_fd, chunk, sizeof(chunk));
    if (n > 0) {
      buf_append(&h.pending_in, chunk, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    }
    if (n < 0 && errno == EIO && h.pty_mode) {
      break; /* no client on the pty right now */
    }
    if (h.pty_mode) {
      break;
    }
    h.in_eof = 1; /* EOF (or a read error): the host is done sending */
    h.drain_until_cycle = h.avr->cycle + avr_usec_to_cycles(h.avr, DRAIN_QUIET_USEC);
    break;
  }
  feed_uart();
}

/* Replaces simavr's sleep callback: while the firmware sleeps, wait for the
 * host instead of spinning, but never let simulated time run ahead of the
 * wall clock by more than a millisecond. */
static void harness_sleep(avr_t *avr, avr_cycle_count_t how_long) {
  (void)how_long;
  uint64_t sim_usec = avr_cycles_to_usec(avr, avr->cycle - h.pace_base_cycle);
  uint64_t wall_usec = now_usec() - h.pace_base_usec;
  if (sim_usec > wall_usec + 1000) {
    if (h.pending_in.len > h.pending_in_pos && h.uart_can_take) {
      return; /* input is ready to go: no reason to wait */
    }
    flush_output();
    poll_host((int)((sim_usec - wall_usec) / 1000));
  } else if (wall_usec > sim_usec + 50000) {
    /* Busy computing fell behind real time: start pacing afresh. */
    h.pace_base_cycle = avr->cycle;
    h.pace_base_usec = now_usec();
  }
}

static void open_pty(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
    die(EXIT_HARNESS, "cannot create a pseudo-terminal: %s", strerror(errno));
  }
  const char *slave_name = ptsname(master);
  if (!slave_name) {
    die(EXIT_HARNESS, "ptsname: %s", strerror(errno));
  }
  /* Raw mode on the slave side: no echo, no CR/LF translation, no line
   * buffering, so the pty carries bytes exactly like a serial line. */
  int slave = open(slave_name, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    die(EXIT_HARNESS, "open %s: %s", slave_name, strerror(errno));
  }
  struct termios tio;
  if (tcgetattr(slave, &tio) == 0) {
    cfmakeraw(&tio);
    cfsetispeed(&tio, B115200);
    cfsetospeed(&tio, B115200);
    tcsetattr(slave, TCSANOW, &tio);
  }
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  h.in_fd = master;
  h.out_fd = master;
  h.pty_slave_fd = slave;
  fprintf(stderr, "PTY %s\n", slave_name);
}

static void save_eeprom(const char *path) {
  if (!path) {
    return;
  }
  /* simavr copies into the caller's buffer. Its EEPROM ioctls return -1
   * even when they succeed (simavr 1.6 never sets its result), so the
   * return value says nothing; a bad argument only logs a warning. */
  uint32_t size = h.avr->e2end + 1;
  uint8_t *bytes = malloc(size);
  if (!bytes) {
    fprintf(stderr, "simavr_uart: out of memory saving the EEPROM\n");
    return;
  }
  avr_eeprom_desc_t desc = {.ee = bytes, .offset = 0, .size = size};
  (void)avr_ioctl(h.avr, AVR_IOCTL_EEPROM_GET, &desc);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(bytes, 1, size, f) != size) {
    fprintf(stderr, "simavr_uart: cannot write %s: %s\n", path, strerror(errno));
  }
  if (f) {
    fclose(f);
  }
  free(bytes);
}

/* --eeprom-cut: the ATmega328P's EEPROM registers (data addresses). A
 * write to EECR with EEPE set (after EEMPE, as avr-libc does) stores EEDR at
 * EEAR; shadow[] follows those writes, so at the cut it holds what the
 * writes before it left, whether simavr's own handler of EECR ran first or not. */
#define EE_EECR 0x3F
#define EE_EEDR 0x40
#define EE_EEARL 0x41
#define EE_EEARH 0x42
#define EE_EEPE 0x02
static struct {
  int on;
  unsigned long at, written;
  int leaves; /* -1: the byte keeps its old value */
  const char *path;
  uint8_t *shadow;
  uint32_t size;
} cut = {.leaves = -1};

static void on_eecr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param) {
  (void)addr;
  (void)param;
  if (!(v & EE_EEPE)) return;
  uint32_t at = ((uint32_t)avr->data[EE_EEARH] << 8 | avr->data[EE_EEARL]) % cut.size;
  if (cut.at && ++cut.written == cut.at) {
    if (cut.leaves >= 0) cut.shadow[at] = (uint8_t)cut.leaves;
    FILE *f = cut.path ? fopen(cut.path, "wb") : NULL;
    if (f) {
      fwrite(cut.shadow, 1, cut.size, f);
      fclose(f);
    }
    fprintf(stderr, "simavr_uart: power cut on EEPROM write %lu (address %u)\n", cut.at, (unsigned)at);
    _exit(EXIT_POWER_CUT);
  }
  if (!cut.at) cut.written++;
  cut.shadow[at] = avr->data[EE_EEDR];
}

static void watch_eeprom_writes(const char *path) {
  cut.path = path;
  cut.size = h.avr->e2end + 1;
  cut.shadow = malloc(cut.size);
  if (!cut.shadow) die(EXIT_HARNESS, "out of memory for --eeprom-cut");
  avr_eeprom_desc_t desc = {.ee = cut.shadow, .offset = 0, .size = cut.size};
  (void)avr_ioctl(h.avr, AVR_IOCTL_EEPROM_GET, &desc);
  avr_register_io_write(h.avr, EE_EECR, on_eecr_write, NULL);
}

static void load_eeprom(const char *path) {
  if (!path) {
    return;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    return; /* first run: the firmware's own EEPROM image stays */
  }
  uint32_t size = h.avr->e2end + 1;
  uint8_t *bytes = malloc(size);
  size_t n = bytes ? fread(bytes, 1, size, f) : 0;
  fclose(f);
  if (n > 0) {
    avr_eeprom_desc_t desc = {.ee = bytes, .offset = 0, .size = (uint32_t)n};
    (void)avr_ioctl(h.avr, AVR_IOCTL_EEPROM_SET, &desc); /* returns -1 on success too */
  }
  free(bytes);
}

static void print_cycles(void) {
  fprintf(stderr, "cycles %" PRIu64 "\n", (uint64_t)h.avr->cycle);
  fflush(stderr);
}

/* The opcode at the PC: simavr keeps the PC as a byte address. */
static uint16_t opcode_at_pc(void) {
  uint32_t pc = h.avr->pc;
  return (uint16_t)(h.avr->flash[pc] | (h.avr->flash[pc + 1] << 8));
}

/* ---- keypad and watched pins (--keypad, --watch) ---- */

#define MAX_MATRIX 8
#define MAX_WATCH 8

typedef struct {
  char port;
  uint8_t bit;
} pin_ref;

static struct {
  int rows_n, cols_n, watch_n;
  pin_ref rows[MAX_MATRIX], cols[MAX_MATRIX], watch[MAX_WATCH];
  uint8_t pressed[MAX_MATRIX][MAX_MATRIX];
  uint8_t row_level[MAX_MATRIX];
  int col_level[MAX_MATRIX];
  int watch_level[MAX_WATCH];
  avr_irq_t *col_irq[MAX_MATRIX];
  char cmd[256];
  size_t cmd_len;
} io;

/* "D4,D5,D6" into pins; the count, or -1 when malformed. */
static int parse_pins(const char *text, size_t len, pin_ref *out, int max) {
  int n = 0;
  size_t i = 0;
  while (i < len) {
    if (n == max || text[i] < 'A' || text[i] > 'L' || i + 1 >= len || text[i + 1] < '0' || text[i + 1] > '7') return -1;
    out[n].port = text[i];
    out[n].bit = (uint8_t)(text[i + 1] - '0');
    n++;
    i += 2;
    if (i < len && text[i++] != ',') return -1;
  }
  return n;
}

static void update_columns(void) {
  for (int c = 0; c < io.cols_n; c++) {
    int level = 1;
    for (int r = 0; r < io.rows_n; r++) {
      if (io.pressed[r][c] && io.row_level[r] == 0) level = 0;
    }
    if (level != io.col_level[c]) {
      io.col_level[c] = level;
      avr_raise_irq(io.col_irq[c], (uint32_t)level);
    }
  }
}

static void on_row(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  io.row_level[(intptr_t)param] = (uint8_t)(value != 0);
  update_columns();
}

static void on_watched(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  int i = (int)(intptr_t)param, level = value != 0;
  if (level == io.watch_level[i]) return;
  io.watch_level[i] = level;
  fprintf(stderr, "PIN %c%u %d\n", io.watch[i].port, (unsigned)io.watch[i].bit, level);
  fflush(stderr);
}

static avr_irq_t *pin_irq(pin_ref p) {
  return avr_io_getirq(h.avr, AVR_IOCTL_IOPORT_GETIRQ(p.port), p.bit);
}

static void attach_io(void) {
  for (int r = 0; r < io.rows_n; r++) {
    io.row_level[r] = 1;
    avr_irq_register_notify(pin_irq(io.rows[r]), on_row, (void *)(intptr_t)r);
  }
  for (int c = 0; c < io.cols_n; c++) {
    io.col_irq[c] = pin_irq(io.cols[c]);
    io.col_level[c] = 1;
    avr_raise_irq(io.col_irq[c], 1);
  }
  for (int i = 0; i < io.watch_n; i++) {
    io.watch_level[i] = -1;
    avr_irq_register_notify(pin_irq(io.watch[i]), on_watched, (void *)(intptr_t)i);
  }
}

/* Keypad commands on stdin (pty mode, where stdin is free). */
static void poll_commands(void) {
  if (!h.pty_mode || io.rows_n == 0) return;
  for (;;) {
    ssize_t n = read(STDIN_FILENO, io.cmd + io.cmd_len, sizeof(io.cmd) - 1 - io.cmd_len);
    if (n <= 0) return;
    io.cmd_len += (size_t)n;
    char *nl;
    while ((nl = memchr(io.cmd, '\n', io.cmd_len)) != NULL) {
      *nl = 0;
      unsigned r, c;
      char verb[16];
      if (sscanf(io.cmd, "%15s %u %u", verb, &r, &c) == 3 && r < (unsigned)io.rows_n && c < (unsigned)io.cols_n &&
          (!strcmp(verb, "press") || !strcmp(verb, "release"))) {
        io.pressed[r][c] = !strcmp(verb, "press");
        update_columns();
      } else {
        fprintf(stderr, "simavr_uart: bad keypad command '%s'\n", io.cmd);
      }
      size_t used = (size_t)(nl - io.cmd) + 1;
      memmove(io.cmd, nl + 1, io.cmd_len - used);
      io.cmd_len -= used;
    }
    if (io.cmd_len == sizeof(io.cmd) - 1) io.cmd_len = 0;
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: simavr_uart [--mcu NAME] [--freq HZ] [--pty] [--timeout-cycles N]\n"
          "                   [--timeout-ms N] [--cycles] [--eeprom FILE] [--eeprom-cut N[:V]] [--verbose]\n"
          "                   [--keypad ROWS:COLS] [--watch PINS] firmware.elf\n");
  exit(EXIT_HARNESS);
}

int main(int argc, char **argv) {
  const char *mcu = "atmega328p";
  uint32_t freq = 16000000;
  uint64_t timeout_cycles = 0;
  uint64_t timeout_ms = 0;
  int report_cycles = 0;
  const char *eeprom_path = NULL;
  const char *elf_path = NULL;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--mcu") && i + 1 < argc) {
      mcu = argv[++i];
    } else if (!strcmp(a, "--freq") && i + 1 < argc) {
      freq = (uint32_t)strtoul(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--pty")) {
      h.pty_mode = 1;
    } else if (!strcmp(a, "--timeout-cycles") && i + 1 < argc) {
      timeout_cycles = strtoull(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--timeout-ms") && i + 1 < argc) {
      timeout_ms = strtoull(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--cycles")) {
      report_cycles = 1;
    } else if (!strcmp(a, "--eeprom") && i + 1 < argc) {
      eeprom_path = argv[++i];
    } else if (!strcmp(a, "--eeprom-cut") && i + 1 < argc) {
      char *end;
      cut.on = 1;
      cut.at = strtoul(argv[++i], &end, 10);
      if (*end == ':') cut.leaves = (int)(strtoul(end + 1, NULL, 0) & 0xFFu);
    } else if (!strcmp(a, "--verbose")) {
      h.verbose = 1;
    } else if (!strcmp(a, "--keypad") && i + 1 < argc) {
      const char *spec = argv[++i], *colon = strchr(spec, ':');
      if (!colon || (io.rows_n = parse_pins(spec, (size_t)(colon - spec), io.rows, MAX_MATRIX)) <= 0 ||
          (io.cols_n = parse_pins(colon + 1, strlen(colon + 1), io.cols, MAX_MATRIX)) <= 0) {
        usage();
      }
    } else if (!strcmp(a, "--watch") && i + 1 < argc) {
      const char *spec = argv[++i];
      if ((io.watch_n = parse_pins(spec, strlen(spec), io.watch, MAX_WATCH)) <= 0) usage();
    } else if (a[0] == '-' || elf_path) {
      usage();
    } else {
      elf_path = a;
    }
  }
  if (!elf_path || freq == 0) {
    usage();
  }

  /* The link owns stdout. Keep a private handle on it and point fd 1 at
   * stderr, so that anything libsimavr prints ("Loaded N .text ...") can
   * never mix with the UART's bytes. */
  h.out_fd = dup(STDOUT_FILENO);
  if (h.out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    die(EXIT_HARNESS, "cannot set up stdout: %s", strerror(errno));
  }
  h.in_fd = STDIN_FILENO;
  h.pty_slave_fd = -1;
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigusr1;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  avr_global_logger_set(harness_logger);

  elf_firmware_t fw;
  memset(&fw, 0, sizeof(fw));
  if (access(elf_path, R_OK) != 0 || elf_read_firmware(elf_path, &fw) != 0) {
    die(EXIT_LOAD, "cannot read firmware %s", elf_path);
  }
  fw.frequency = freq;
  h.avr = avr_make_mcu_by_name(mcu);
  if (!h.avr) {
    die(EXIT_LOAD, "unknown MCU %s", mcu);
  }
  if (avr_init(h.avr) != 0) {
    die(EXIT_LOAD, "cannot initialise the %s core", mcu);
  }
  h.avr->log = h.verbose ? LOG_TRACE : LOG_ERROR;
  /* 0: on a crash stop (cpu_Crashed) instead of waiting for gdb. */
  h.avr->gdb_port = 0;
  avr_load_firmware(h.avr, &fw);
  h.avr->frequency = freq;
  h.avr->sleep = harness_sleep;
  load_eeprom(eeprom_path);
  if (cut.on) watch_eeprom_writes(eeprom_path);

  /* No console printing (it would rewrite bytes) and no usleep() when the
   * firmware polls the status register (it would slow the run down). */
  uint32_t flags = 0;
  avr_ioctl(h.avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
  avr_ioctl(h.avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  h.uart_input = avr_io_getirq(h.avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(h.avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
                          on_uart_output, NULL);
  avr_irq_register_notify(avr_io_getirq(h.avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON),
                          on_uart_xon, NULL);
  avr_irq_register_notify(avr_io_getirq(h.avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF),
                          on_uart_xoff, NULL);

  attach_io();
  if (h.pty_mode) {
    close(h.out_fd);
    open_pty();
    if (io.rows_n > 0) {
      /* keypad commands arrive on stdin (poll_commands) */
      fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    }
  } else {
    fcntl(h.in_fd, F_SETFL, fcntl(h.in_fd, F_GETFL) | O_NONBLOCK);
    fcntl(h.out_fd, F_SETFL, fcntl(h.out_fd, F_GETFL) | O_NONBLOCK);
  }
  fprintf(stderr, "READY\n");
  fflush(stderr);

  const uint64_t start_usec = now_usec();
  h.pace_base_usec = start_usec;
  h.pace_base_cycle = h.avr->cycle;
  const uint32_t flashend = h.avr->flashend;
  int exit_code = EXIT_FINISHED;
  char reason[256] = "";

  for (;;) {
    int state = cpu_Running;
    for (int i = 0; i < STEPS_PER_SLICE; i++) {
      state = avr_run(h.avr);
      if (state == cpu_Done || state == cpu_Crashed || h.crash_reason || h.avr->pc > flashend) {
        break;
      }
    }
    if (h.crash_reason) {
      exit_code = EXIT_CRASHED;
      snprintf(reason, sizeof(reason), "crashed: %s (cycle %" PRIu64 ")", h.crash_reason,
               (uint64_t)h.avr->cycle);
      break;
    }
    if (h.avr->pc > flashend) {
      exit_code = EXIT_CRASHED;
      snprintf(reason, sizeof(reason), "crashed: PC 0x%05x is outside flash (cycle %" PRIu64 ")",
               (unsigned)h.avr->pc, (uint64_t)h.avr->cycle);
      break;
    }
    if (state == cpu_Crashed) {
      exit_code = EXIT_CRASHED;
      snprintf(reason, sizeof(reason), "crashed at PC 0x%05x (cycle %" PRIu64 ")",
               (unsigned)h.avr->pc, (uint64_t)h.avr->cycle);
      break;
    }
    if (state == cpu_Done) {
      snprintf(reason, sizeof(reason), "firmware finished (slept with interrupts off) at cycle %" PRIu64,
               (uint64_t)h.avr->cycle);
      break;
    }
    /* cli + rjmp . : nothing can ever happen again (avr-libc's exit() ends so). */
    if (!h.avr->sreg[S_I] && opcode_at_pc() == 0xCFFF) {
      exit_code = EXIT_HALTED;
      snprintf(reason, sizeof(reason),
               "halted: jump-to-self with interrupts off at PC 0x%05x (main returned?) (cycle %" PRIu64 ")",
               (unsigned)h.avr->pc, (uint64_t)h.avr->cycle);
      break;
    }

    flush_output();
    poll_host(0);
    poll_commands();
    if (cycles_requested) {
      cycles_requested = 0;
      print_cycles();
    }
    if (stop_requested) {
      break; /* asked to stop: a normal end, no message */
    }
    if (h.in_eof && h.pending_in.len == 0 && h.avr->cycle >= h.drain_until_cycle) {
      break; /* host done and firmware quiet: a normal end, no message */
    }
    if (timeout_cycles && h.avr->cycle >= timeout_cycles) {
      exit_code = EXIT_CYCLE_LIMIT;
      snprintf(reason, sizeof(reason), "cycle limit reached: %" PRIu64 " cycles (PC 0x%05x)",
               (uint64_t)h.avr->cycle, (unsigned)h.avr->pc);
      break;
    }
    if (timeout_ms && now_usec() - start_usec >= timeout_ms * 1000u) {
      exit_code = EXIT_WALL_LIMIT;
      snprintf(reason, sizeof(reason), "wall-clock limit reached: %" PRIu64 " ms (PC 0x%05x, cycle %" PRIu64 ")",
               timeout_ms, (unsigned)h.avr->pc, (uint64_t)h.avr->cycle);
      break;
    }
  }

  if (!h.pty_mode) {
    fcntl(h.out_fd, F_SETFL, fcntl(h.out_fd, F_GETFL) & ~O_NONBLOCK);
  }
  flush_output();
  save_eeprom(eeprom_path);
  if (cut.on) fprintf(stderr, "eeprom-writes %lu\n", cut.written);
  if (report_cycles) {
    print_cycles();
  }
  if (reason[0]) {
    fprintf(stderr, "simavr_uart: %s\n", reason);
  }
  return exit_code;
}
