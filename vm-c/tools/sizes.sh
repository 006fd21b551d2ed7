#!/usr/bin/env bash
# Compiles the VM core for the real targets and prints the code size of each
# configuration (a markdown table, as in docs/vm-c.md). Compile only: nothing
# is linked, so libgcc helpers (AVR 32-bit divide) and the MSP430 __mspabi_*
# routines the board provides are not counted.
#
#   vm-c/tools/sizes.sh            both targets
#   vm-c/tools/sizes.sh avr|msp430
set -euo pipefail
cd "$(dirname "$0")/.."
WARN=(-std=c99 -Wall -Wextra -Werror)
# The AVR optimisation flags recommended for the firmware build (docs/vm-c.md,
# "Memory budget"): -mcall-prologues shares the register save/restore code
# (~0.8 KB), -mstrict-X keeps pointer arithmetic off the X register (~0.2 KB).
# A linked firmware should add -flto -mrelax (not measurable compile-only).
AVR_OPT=(-Os -mcall-prologues -mstrict-X)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

CONFIGS=(
  "full (verifier, 64+256-bit, storage, node calls)|"
  "no 64/256-bit|-DALKY_WITH_W64=0 -DALKY_WITH_W256=0"
  "no verifier|-DALKY_WITH_VERIFY=0"
  "no verifier, no 64/256-bit|-DALKY_WITH_VERIFY=0 -DALKY_WITH_W64=0 -DALKY_WITH_W256=0"
)

compile() { # target config-flags -> total .text bytes
  local target=$1; shift
  rm -f "$OUT"/*.o
  for f in *.c; do
    # The link device's request handler and app store are firmware, not the
    # core: their sizes are in docs/link.md (the firmware builds).
    case $f in device.c|store.c) continue ;; esac
    case $target in
      avr) avr-gcc -mmcu=atmega328p "${AVR_OPT[@]}" "${WARN[@]}" -DALKY_CONFIG_HEADER='"config/avr_eeprom.h"' "$@" -I. -c "$f" -o "$OUT/${f%.c}.o" ;;
      msp430) clang --target=msp430 -mmcu=msp430g2553 -Os -ffreestanding "${WARN[@]}" -DALKY_CONFIG_HEADER='"config/msp430.h"' "$@" -I. -c "$f" -o "$OUT/${f%.c}.o" ;;
    esac
  done
  case $target in
    avr) avr-size -t "$OUT"/*.o | tail -1 | awk '{print $1}' ;;
    msp430) llvm-size -t "$OUT"/*.o | tail -1 | awk '{print $1}' ;;
  esac
}

targets=("${@:-avr msp430}")
[ $# -eq 0 ] && targets=(avr msp430)
head="| configuration |"; rule="|---|"
for t in "${targets[@]}"; do head+=" $t .text (bytes) |"; rule+="---:|"; done
echo "$head"; echo "$rule"
for c in "${CONFIGS[@]}"; do
  name=${c%%|*}; flags=${c#*|}
  row="| $name |"
  for t in "${targets[@]}"; do
    # shellcheck disable=SC2086
    row+=" $(compile "$t" $flags) |"
  done
  echo "$row"
done
