/**
 * The machine, runtime and date a benchmark ran on, recorded next to every figure
 * (BENCHMARKS.md quotes them).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started: other work sharing the CPU skews the figures. */
  readonly loadAverage1m: number;
}

/** Describes this machine now. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

/** One line for a table caption: "AMD EPYC, 2 cores, Node v24…, 2026-…". */
export function describeMachine(info: MachineInfo): string {
  const host = `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB`;
  return `${host}, Node ${info.node}, ${info.os}, load ${info.loadAverage1m} at start, ${info.date}`;
}

/** `lscpu`'s model and CPU count, e.g. "AMD EPYC, 2 CPU(s)" (the host CPU, not the guest's name for it). */
export function lscpuCpuLine(): string {
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? 'unknown CPU';
    const cpus = /^CPU\(s\):\s*(\d+)/m.exec(lscpu)?.[1] ?? '?';
    return `${model}, ${cpus} CPU(s)`;
  } catch {
    return 'unknown (lscpu not available)';
  }
}

/** `lscpu` summary lines (model, CPUs, caches, hypervisor), where the tool exists. */
export function lscpuSummary(): string[] {
  try {
    const wanted =
      /^(Model name|CPU\(s\)|CPU family|Model|Thread\(s\) per core|Hypervisor vendor|L2 cache|L3 cache|BogoMIPS):/;
    return execFileSync('lscpu', { encoding: 'utf8' })
      .split('\n')
      .filter((line) => wanted.test(line))
      .map((line) => line.replace(/\s+/g, ' '));
  } catch {
    return [];
  }
}
