// Types of cases.mjs (corpus.ts re-exports them with the Case type).
export declare const CONFORMANCE_DIR: string;
export declare const ROOT: string;
export interface CaseFiles {
  name: string;
  source: string;
  steps: string;
  trace: string;
  profile: string;
  fuel: number | undefined;
}
export declare function runArgs(c: CaseFiles, backend: string): string[];
export declare function alkyvmBin(): string;
export declare function runCase(c: CaseFiles, backend: string): { stdout: string; stderr: string; status: number };
