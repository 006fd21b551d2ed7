// Renders docs/profiles.md from the profile table (generated, never edited by hand).

import { alkylTypeName } from "../run/values.js";
import { PROFILES, type ProfileParam } from "./profiles.js";

function signature(params: readonly ProfileParam[]): string {
  return params.map((p) => `${alkylTypeName(p.type)} ${p.name}`).join(", ");
}

export function renderProfilesDoc(): string {
  const lines: string[] = [
    "<!-- Generated from compiler/profiles/profiles.ts by `npm run gen`; do not edit. -->",
    "# Device profiles",
    "",
    "A device profile is the Service Provider Interface a device offers an app: the",
    "events its drivers raise (handled by `deviceevent` functions) and the syscalls",
    "its HAL implements (`SystemCall(Name, args...)`). An app is compiled against one",
    "profile (`--profile`, default `test`); the compiler rejects names the profile does",
    "not have, the image records the profile id, and a device refuses an image built",
    "for another profile. Syscalls that return the clock give the seconds since the",
    "Unix epoch as last set by the node (`--time` in `alkyvm run`).",
    "",
  ];
  for (const p of PROFILES) {
    lines.push(`## \`${p.name}\` (id ${p.id})`, "", p.doc, "", "| event | id | parameters | meaning |", "|---|---|---|---|");
    for (const e of p.events) lines.push(`| \`${e.name}\` | ${e.id} | ${signature(e.params) || "—"} | ${e.doc} |`);
    lines.push("", "| syscall | id | parameters | result | meaning |", "|---|---|---|---|---|");
    for (const s of p.syscalls)
      lines.push(`| \`${s.name}\` | ${s.id} | ${signature(s.params) || "—"} | ${s.result ? alkylTypeName(s.result) : "void"} | ${s.doc} |`);
    lines.push("");
  }
  return lines.join("\n");
}
