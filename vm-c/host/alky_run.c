/* Host test driver for the C VM (not the link protocol): loads an image,
 * verifies it, then runs commands from stdin and prints one line per raw
 * effect, for the differential tests against the TypeScript reference VM.
 *
 *   alky_run [-p PROFILE|none] [-f FUEL] [-s STACK] IMAGE
 *   alky_run -V [-p PROFILE|none]     verify images, one hex-encoded per stdin
 *                                     line: prints "ok", "verify <rule> <offset>"
 *                                     or "refuse <status>" per line
 *
 * Rejection: prints "verify <rule> <offset>" and exits 3 (other load errors:
 * "refuse <status>", exit 4). Commands, one per line:
 *   call <fn> <arg>...   each argument as little-endian hex bytes of the
 *                        parameter's width; a string as its bytes in hex, "-" if empty
 *   event <id> <arg>...  the same for the app's handler of profile event <id>
 *                        (an event without handler prints only "end")
 *   reset                device reset (memory re-initialised, storage kept)
 *   time <seconds>       the clock that clock syscalls (Now) return
 *   answer <hex>|none    queue the answer of the next NCALL (none: no answer, trap)
 *   mem <addr> <len>     print "mem <hex>" (storage <addr> <len> likewise)
 * Output per call: "syscall <import> <arg>...", then "return <hex>" or
 * "fault <kind> [address]", then "end"; API errors print "error <status>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../alky_internal.h"
#include "../hal.h"

#define MAX_ANSWERS 64
#define MAX_STORAGE 65536

typedef struct host {
    uint32_t clock;
    uint8_t storage[MAX_STORAGE];
    struct {
        uint8_t ok;
        uint8_t len;
        uint8_t bytes[32];
    } answers[MAX_ANSWERS];
    unsigned answer_head, answer_tail;
} host;

static alky_vm vm;
static host state;

#define RULE_NAME_(name, text) text,
static const char *const rule_names[] = {ALKY_RULE_LIST(RULE_NAME_)};
#undef RULE_NAME_

static const char *status_name(alky_status s) {
    switch (s) {
    case ALKY_FAULT_FUEL: return "fuel";
    case ALKY_FAULT_MEMORY: return "memory";
    case ALKY_FAULT_STORAGE: return "storage";
    case ALKY_FAULT_STACK: return "stack";
    case ALKY_FAULT_TRAP: return "trap";
    case ALKY_E_VERIFY: return "verify";
    case ALKY_E_FEATURES: return "features";
    case ALKY_E_MEMORY_SIZE: return "memory-size";
    case ALKY_E_TOO_LARGE: return "too-large";
    case ALKY_E_VERIFY_LIMIT: return "verify-limit";
    case ALKY_E_NO_IMAGE: return "no-image";
    case ALKY_E_FUNCTION: return "function";
    case ALKY_E_ARG: return "arg";
    case ALKY_E_PROFILE: return "profile";
    default: return "ok";
    }
}

static void print_hex(const uint8_t *p, unsigned n) {
    unsigned i;
    if (n == 0) fputs("-", stdout);
    for (i = 0; i < n; i++) printf("%02x", p[i]);
}

/* Parses hex digits into bytes; "-" is empty. Returns the byte count or -1. */
static int parse_hex(const char *s, uint8_t *out, unsigned cap) {
    unsigned n = 0;
    size_t len = strlen(s);
    if (strcmp(s, "-") == 0) return 0;
    if (len % 2) return -1;
    for (; *s; s += 2) {
        unsigned v;
        if (n >= cap || sscanf(s, "%2x", &v) != 1) return -1;
        out[n++] = (uint8_t)v;
    }
    return (int)n;
}

/* ---- The HAL of the host. ---- */

static void print_args(alky_vm *v, uint8_t imp, const uint8_t *args) {
    uint8_t i, count = alky_import_param_count(v, imp);
    unsigned off = 0;
    for (i = 0; i < count; i++) {
        uint8_t type = alky_import_param_type(v, imp, i), nb = alky_type_bytes(type);
        putchar(' ');
        if ((type >> 4) == ALKY_VALUE_STRING) {
            uint16_t len;
            const uint8_t *s = alky_string(v, (uint16_t)(args[off] | (args[off + 1] << 8)), &len);
            print_hex(s, len);
        } else {
            print_hex(args + off, nb);
        }
        off += nb;
    }
}

alky_status alky_hal_syscall(alky_vm *v, uint8_t imp, const uint8_t *args, uint8_t *result) {
    host *h = (host *)v->user;
    printf("syscall %u", imp);
    print_args(v, imp, args);
    putchar('\n');
    if (alky_import_flags(v, imp) & ALKY_SYSCALL_FLAG_CLOCK) {
        uint8_t i, rb = alky_type_bytes(alky_import_result_type(v, imp));
        for (i = 0; i < rb && i < 4; i++) result[i] = (uint8_t)(h->clock >> (8 * i));
    }
    return ALKY_OK;
}

alky_status alky_hal_ncall(alky_vm *v, uint8_t imp, const uint8_t *args, uint8_t *result) {
    host *h = (host *)v->user;
    uint8_t rb = alky_type_bytes(alky_import_result_type(v, imp)), i;
    (void)args;
    if (h->answer_head == h->answer_tail) return ALKY_FAULT_TRAP;
    i = (uint8_t)(h->answer_head++ % MAX_ANSWERS);
    if (!h->answers[i].ok) return ALKY_FAULT_TRAP;
    memcpy(result, h->answers[i].bytes, h->answers[i].len < rb ? h->answers[i].len : rb);
    return ALKY_OK;
}

void alky_hal_storage_read(alky_vm *v, uint16_t addr, uint8_t *dst, uint8_t length) {
    memcpy(dst, ((host *)v->user)->storage + addr, length);
}

void alky_hal_storage_write(alky_vm *v, uint16_t addr, const uint8_t *src, uint8_t length) {
    memcpy(((host *)v->user)->storage + addr, src, length);
}

/* ---- Commands. ---- */

static void cmd_call(char *rest, int is_event) {
    char *tok = strtok(rest, " \t");
    uint8_t buf[65536 / 4];
    alky_status s;
    const uint8_t *result;
    uint8_t len;
    if (!tok) {
        puts("error arg");
        return;
    }
    if (is_event) {
        uint8_t fn = alky_event_handler(&vm, (uint8_t)strtoul(tok, NULL, 10));
        if (fn == 0xFF) {
            puts("end");
            return;
        }
        s = alky_call_begin(&vm, fn);
    } else {
        s = alky_call_begin(&vm, (uint8_t)strtoul(tok, NULL, 10));
        if (s == ALKY_OK && strtoul(tok, NULL, 10) > 255) s = ALKY_E_FUNCTION;
    }
    while (s == ALKY_OK && (tok = strtok(NULL, " \t")) != NULL) {
        int n = parse_hex(tok, buf, sizeof buf);
        s = n < 0 ? ALKY_E_ARG : alky_call_arg(&vm, buf, (uint16_t)n);
    }
    if (s == ALKY_OK) s = alky_call_run(&vm);
    if (s == ALKY_OK) {
        result = alky_result(&vm, &len);
        if (result) {
            fputs("return ", stdout);
            print_hex(result, len);
            putchar('\n');
        }
    } else if (alky_is_fault(s)) {
        if (s == ALKY_FAULT_MEMORY || s == ALKY_FAULT_STORAGE) printf("fault %s %u\n", status_name(s), vm.fault_addr);
        else printf("fault %s\n", status_name(s));
    } else {
        printf("error %s\n", status_name(s));
    }
    puts("end");
}

static void cmd_dump(const uint8_t *space, unsigned size, char *rest, const char *label) {
    unsigned addr = 0, len = 0;
    if (sscanf(rest, "%u %u", &addr, &len) != 2 || addr + len > size) {
        puts("error arg");
        return;
    }
    printf("%s ", label);
    print_hex(space + addr, len);
    putchar('\n');
}

static void cmd_answer(char *rest) {
    unsigned i = state.answer_tail++ % MAX_ANSWERS;
    int n;
    state.answers[i].ok = 0;
    state.answers[i].len = 0;
    if (strncmp(rest, "none", 4) == 0) return;
    n = parse_hex(strtok(rest, " \t\r\n"), state.answers[i].bytes, sizeof state.answers[i].bytes);
    if (n < 0) {
        puts("error arg");
        return;
    }
    state.answers[i].ok = 1;
    state.answers[i].len = (uint8_t)n;
}

static int run_commands(void) {
    static char line[200000];
    while (fgets(line, sizeof line, stdin)) {
        char *nl = strpbrk(line, "\r\n");
        if (nl) *nl = 0;
        if (strncmp(line, "call ", 5) == 0) cmd_call(line + 5, 0);
        else if (strncmp(line, "event ", 6) == 0) cmd_call(line + 6, 1);
        else if (strcmp(line, "reset") == 0) alky_reset(&vm);
        else if (strncmp(line, "time ", 5) == 0) state.clock = (uint32_t)strtoul(line + 5, NULL, 10);
        else if (strncmp(line, "answer ", 7) == 0) cmd_answer(line + 7);
        else if (strncmp(line, "mem ", 4) == 0) cmd_dump(vm.memory, vm.mem_size, line + 4, "mem");
        else if (strncmp(line, "storage ", 8) == 0) cmd_dump(state.storage, vm.storage_size, line + 8, "storage");
        else if (line[0] == 0 || line[0] == '#') continue;
        else printf("error command\n");
        fflush(stdout);
    }
    return 0;
}

/* Loads an image and reports the outcome as one line; returns the status. */
static alky_status load_and_report(const uint8_t *image, uint32_t size, int quiet_ok) {
    alky_status s = alky_load(&vm, image, size);
    if (s == ALKY_E_VERIFY) printf("verify %s %u\n", rule_names[vm.rule], vm.rule_offset);
    else if (s != ALKY_OK) printf("refuse %s\n", status_name(s));
    else if (!quiet_ok) puts("ok");
    return s;
}

static int verify_lines(void) {
    static char line[2 * 65536 + 16];
    static uint8_t image[65536];
    while (fgets(line, sizeof line, stdin)) {
        char *nl = strpbrk(line, "\r\n");
        int n;
        if (nl) *nl = 0;
        n = parse_hex(line, image, sizeof image);
        if (n < 0) puts("error hex");
        else load_and_report(image, (uint32_t)n, 0);
    }
    return 0;
}

static uint8_t *read_file(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (uint8_t *)malloc((size_t)*size + 1);
    if (buf && fread(buf, 1, (size_t)*size, f) != (size_t)*size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    uint16_t profile = ALKY_PROFILE_ID;
    unsigned long fuel = ALKY_FUEL_DEFAULT, stack = 1024; /* the reference VM's default */
    uint8_t *image;
    long size = 0;
    alky_status s;
    int i, verify_only = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-V") == 0) {
            verify_only = 1;
            continue;
        }
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            ++i;
            profile = strcmp(argv[i], "none") == 0 ? 0xFFFF : (uint16_t)strtoul(argv[i], NULL, 10);
        } else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
            fuel = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            stack = strtoul(argv[++i], NULL, 10);
        } else {
            path = argv[i];
        }
    }
    alky_init(&vm, &state);
    vm.device_profile = profile;
    vm.fuel_budget = (uint32_t)fuel;
    if (verify_only) return verify_lines();
    if (!path || stack > ALKY_STACK_SIZE) {
        fprintf(stderr, "usage: alky_run [-p PROFILE|none] [-f FUEL] [-s STACK<=%u] IMAGE\n", (unsigned)ALKY_STACK_SIZE);
        return 2;
    }
    image = read_file(path, &size);
    if (!image) {
        fprintf(stderr, "alky_run: cannot read %s\n", path);
        return 2;
    }
    vm.stack_limit = (uint16_t)stack;
    s = load_and_report(image, (uint32_t)size, 1);
    if (s != ALKY_OK) return s == ALKY_E_VERIFY ? 3 : 4;
    fflush(stdout);
    return run_commands();
}
