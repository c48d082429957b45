import type { TransportChoice } from '../messaging/create-transport';

export type FleetMode = 'in-process' | 'processes' | 'namespaces';
export type SuiteKind = 'flakeflagger' | 'jest';

/** Faults injected between the coordinator and every executor (through the fault proxy). */
export interface FaultSpec {
  /** Probability 0..1 of losing a datagram (UDP) / stalling a chunk (TCP). */
  readonly lossRate: number;
  /** Added one-way delay in ms. */
  readonly latencyMs: number;
  /** Added jitter in ms. */
  readonly jitterMs: number;
}

/** Everything a run is configured by (flags and the configuration file). */
export interface FleetOptions {
  /** Agents in the fleet, at least 4 (coordinator, analyser, reporter, executors). Default 10. */
  readonly agents: number;
  readonly transport: TransportChoice;
  readonly mode: FleetMode;
  readonly suite: SuiteKind;
  /** --suite jest only: run just the files whose path contains this text. */
  readonly suiteFilter?: string;
  /** Tests replayed from FlakeFlagger. Default 300. */
  readonly suiteSize: number;
  /** Target wall-clock of the replay, in s (recorded times are scaled to it). Default 15. */
  readonly durationS: number;
  /** Run deadline, in s; unfinished tasks then count as lost. Default 100. */
  readonly timeoutS: number;
  readonly seed: number;
  readonly fault?: FaultSpec;
  /** FlakeFlagger directory; default packages/learning/data/flakeflagger. */
  readonly dataDir?: string;
  /** Saved @agentlink/learning model to load instead of training one. */
  readonly modelDir?: string;
  /** First /metrics port (agent N gets base+N); 0 = any free port. Default 0. */
  readonly metricsBasePort: number;
  /** Production configuration file (peers, certificates, ports). */
  readonly configPath?: string;
  /** Print the summary as JSON instead of a table. */
  readonly json: boolean;
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  agents: 10,
  transport: 'quic',
  mode: 'in-process',
  suite: 'flakeflagger',
  suiteSize: 300,
  durationS: 15,
  timeoutS: 100,
  seed: 20_260_101,
  metricsBasePort: 0,
  json: false,
};
