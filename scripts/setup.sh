#!/usr/bin/env bash
# Sets up a fresh Debian (bookworm) machine for AlkyVM: the toolchains and
# simulators from Debian, then the npm dependencies and the TypeScript build.
# Idempotent: packages already installed are not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  gcc make pkg-config            # host build of the C VM
  gcc-avr avr-libc binutils-avr  # Arduino Uno (ATmega328P) firmware
  simavr libsimavr-dev libelf-dev # cycle-exact AVR simulation and its harness library
  avrdude                        # flashing a real Uno
  clang lld msp430mcu            # MSP430G2553 firmware (clang --target=msp430, ld.lld)
  libclang-rt-14-dev             # libFuzzer, ASan and UBSan runtimes for clang (npm run fuzz, docs/security.md)
  mspdebug                       # MSP430 simulator and flashing a real LaunchPad
  gcc-arm-linux-gnueabihf libc6-dev-armhf-cross # the Raspberry Pi's program, cross-built (alkyvm firmware --board raspberrypi)
  qemu-user                      # runs that armhf program here (qemu-arm) for the tests
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Anvil's binary arrives in a platform package; check it really runs.
node -e 'const {execFileSync}=require("node:child_process");const p=require.resolve("@foundry-rs/anvil-linux-amd64/package.json").replace(/package\.json$/,"bin/anvil");execFileSync(p,["--version"],{stdio:"ignore"})' \
  || { echo "setup: the Anvil binary from @foundry-rs/anvil-linux-amd64 does not run" >&2; exit 1; }

# node-serialport's native binding comes prebuilt inside @serialport/bindings-cpp
# (its install script need not run); requiring serialport loads it.
node -e 'require("serialport")' \
  || { echo "setup: node-serialport's native binding (@serialport/bindings-cpp) does not load" >&2; exit 1; }

echo "setup: building"
npm run --silent build
echo "setup: done"
