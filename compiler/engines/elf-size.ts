// Flash and static RAM a firmware uses, read from its ELF section headers
// (ELF32 little-endian: AVR and MSP430), the way avr-size -C counts them:
// flash holds every loaded section (code, constants, vectors, and the initial
// values of .data); RAM holds the sections placed in the RAM window (.data,
// .bss, .noinit, the MSP430 mailbox). Sections for other memories (the AVR's
// .eeprom, fuses, the MSP430's information flash) count in neither.

import { readFileSync } from "node:fs";

export interface MemoryWindow {
  start: number;
  end: number; // exclusive
}

export interface FirmwareMemoryMap {
  flash: MemoryWindow;
  ram: MemoryWindow;
}

export interface FirmwareSize {
  flash: number;
  ram: number;
  sections: { name: string; address: number; size: number; loaded: boolean }[];
}

const SHF_ALLOC = 0x2;
const SHT_NOBITS = 8;

const inside = (w: MemoryWindow, address: number): boolean => address >= w.start && address < w.end;

export function firmwareSize(elfPath: string, map: FirmwareMemoryMap): FirmwareSize {
  const elf = readFileSync(elfPath);
  if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) {
    throw new Error(`${elfPath} is not a little-endian ELF32 file`);
  }
  const shoff = elf.readUInt32LE(32);
  const shentsize = elf.readUInt16LE(46);
  const shnum = elf.readUInt16LE(48);
  const shstrndx = elf.readUInt16LE(50);
  const header = (i: number): number => shoff + i * shentsize;
  const strtab = elf.readUInt32LE(header(shstrndx) + 16);
  const nameAt = (off: number): string => {
    let end = strtab + off;
    while (elf[end] !== 0) end++;
    return elf.toString("latin1", strtab + off, end);
  };
  const sections: FirmwareSize["sections"] = [];
  let flash = 0;
  let ram = 0;
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const type = elf.readUInt32LE(h + 4);
    const flags = elf.readUInt32LE(h + 8);
    const address = elf.readUInt32LE(h + 12);
    const size = elf.readUInt32LE(h + 20);
    if (!(flags & SHF_ALLOC) || size === 0) continue;
    const loaded = type !== SHT_NOBITS;
    const inRam = inside(map.ram, address);
    const inFlash = inside(map.flash, address);
    if (inRam) ram += size;
    // .data lives in RAM and is loaded from flash; code and constants are loaded in flash.
    if (loaded && (inRam || inFlash)) flash += size;
    sections.push({ name: nameAt(elf.readUInt32LE(h)), address, size, loaded });
  }
  return { flash, ram, sections };
}
