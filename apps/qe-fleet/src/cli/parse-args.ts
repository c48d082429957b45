import { InvalidFlagError } from '../errors';
import {
  DEFAULT_FLEET_OPTIONS,
  type FaultSpec,
  type FleetMode,
  type FleetOptions,
  type SuiteKind,
} from '../fleet/fleet-options';
import type { TransportChoice } from '../messaging/create-transport';

export const USAGE = `Usage: qe-fleet [flags]

  --agents N            agents in the fleet, >= 4 (default 10: coordinator, analyser, reporter, 7 executors)
  --transport T         quic | tcp | auto (QUIC with TCP fallback) (default quic)
  --mode M              in-process | processes | namespaces (default in-process)
  --suite S             flakeflagger (replay its history) | jest (this repo's jest files) (default flakeflagger)
  --suite-filter TEXT   --suite jest: only the test files whose path contains TEXT
  --suite-size N        tests sampled from FlakeFlagger (default 300)
  --duration S          target replay time in seconds; recorded times are scaled to it (default 15)
  --timeout S           run deadline in seconds; unfinished tasks count as lost (default 100)
  --seed N              seed of the suite sample and of which runs fail (default 20260101)
  --fault SPEC          faults between coordinator and executors, e.g. loss=0.01,latency=25,jitter=5
  --data DIR            FlakeFlagger directory, plain or .gz files (default: the copy @agentlink/learning ships)
  --model DIR           load a model saved by @agentlink/learning instead of training one
  --metrics-port N      first /metrics port (agent i gets N+i); 0 = any free port (default 0)
  --config FILE         production configuration file (one agent per process; see README)
  --json                print the summary as JSON
  --help                this text`;

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidFlagError(flag, `need an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidFlagError(flag, `need a positive number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidFlagError(flag, `need one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** Parses `loss=0.01,latency=25,jitter=5`. */
export function parseFault(value: string): FaultSpec {
  const fault = { lossRate: 0, latencyMs: 0, jitterMs: 0 };
  for (const part of value.split(',').filter((p) => p.length > 0)) {
    const [key, raw = ''] = part.split('=');
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new InvalidFlagError('--fault', `"${part}" needs a non-negative number`);
    if (key === 'loss') {
      if (n > 1) throw new InvalidFlagError('--fault', 'loss is a probability from 0 to 1');
      fault.lossRate = n;
    } else if (key === 'latency') fault.latencyMs = n;
    else if (key === 'jitter') fault.jitterMs = n;
    else throw new InvalidFlagError('--fault', `unknown fault "${key}" (use loss, latency, jitter)`);
  }
  return fault;
}

/** Parses argv (without node and script) into options; `help` is true for --help. */
export function parseArgs(argv: readonly string[]): { options: FleetOptions; help: boolean } {
  const options: { -readonly [K in keyof FleetOptions]: FleetOptions[K] } = { ...DEFAULT_FLEET_OPTIONS };
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new InvalidFlagError(flag, 'a value is required');
      i += 1;
      return next;
    };
    switch (flag) {
      case '--agents': options.agents = integer(flag, value(), 4, 200); break;
      case '--transport': options.transport = oneOf<TransportChoice>(flag, value(), ['quic', 'tcp', 'auto']); break;
      case '--mode': options.mode = oneOf<FleetMode>(flag, value(), ['in-process', 'processes', 'namespaces']); break;
      case '--suite': options.suite = oneOf<SuiteKind>(flag, value(), ['flakeflagger', 'jest']); break;
      case '--suite-filter': options.suiteFilter = value(); break;
      case '--suite-size': options.suiteSize = integer(flag, value(), 1, 100_000); break;
      case '--duration': options.durationS = positive(flag, value()); break;
      case '--timeout': options.timeoutS = positive(flag, value()); break;
      case '--seed': options.seed = integer(flag, value(), 0, 2 ** 32 - 1); break;
      case '--fault': options.fault = parseFault(value()); break;
      case '--data': options.dataDir = value(); break;
      case '--model': options.modelDir = value(); break;
      case '--metrics-port': options.metricsBasePort = integer(flag, value(), 0, 65_000); break;
      case '--config': options.configPath = value(); break;
      case '--json': options.json = true; break;
      case '--help': case '-h': help = true; break;
      default: throw new InvalidFlagError(flag, 'unknown flag');
    }
  }
  return { options, help };
}
