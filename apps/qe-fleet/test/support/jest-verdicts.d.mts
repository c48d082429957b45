/** Types of jest-verdicts.mjs (for the TypeScript test that shares it). */
export type NpmVerdict = 'passed' | 'failed' | 'skipped';
export interface VerdictMismatch {
  readonly id: string;
  readonly npmTest: string;
  readonly fleet: string;
}
export function jestPackages(root: string): string[];
export function jestNodeFlags(root: string, dir: string): string[];
export function verdictKey(id: string): string;
export function verdictsFromJestReport(root: string, report: unknown): Map<string, NpmVerdict>;
export function runPackageJest(
  root: string,
  dir: string,
  outFile: string,
  files?: readonly string[],
): Promise<{ verdicts: Map<string, NpmVerdict>; seconds: number }>;
export function fleetVerdicts(summary: {
  readonly verdicts: ReadonlyArray<{ readonly id: string; readonly verdict: string }>;
}): Map<string, string>;
export function compareVerdicts(
  npmTest: ReadonlyMap<string, string>,
  fleet: ReadonlyMap<string, string>,
): VerdictMismatch[];
