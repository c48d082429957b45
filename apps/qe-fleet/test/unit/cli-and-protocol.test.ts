import { describe, expect, it } from '@jest/globals';
import { parseArgs, parseFault, USAGE } from '../../src/cli/parse-args';
import { runCli } from '../../src/cli/run-cli';
import { InvalidFlagError, ProtocolMessageError } from '../../src/errors';
import { DEFAULT_FLEET_OPTIONS } from '../../src/fleet/fleet-options';
import { planFleet } from '../../src/fleet/fleet-plan';
import { decodeJson, encodeJson } from '../../src/messaging/json-codec';
import { parseAssign, parsePredict, parsePredictBatch, parseResult } from '../../src/messaging/protocol';

describe('parseArgs', () => {
  it('uses the documented defaults', () => {
    expect(parseArgs([])).toEqual({ options: DEFAULT_FLEET_OPTIONS, help: false });
    expect(DEFAULT_FLEET_OPTIONS).toMatchObject({ agents: 10, transport: 'quic', mode: 'in-process', suiteSize: 300 });
  });

  it('reads every flag, with a separate or an inline value', () => {
    const { options, help } = parseArgs([
      '--agents',
      '6',
      '--transport=tcp',
      '--mode',
      'processes',
      '--suite',
      'jest',
      '--suite-filter',
      'x',
      '--suite-size',
      '50',
      '--duration',
      '2.5',
      '--timeout',
      '30',
      '--seed',
      '7',
      '--fault',
      'loss=0.01,latency=25,jitter=5',
      '--data',
      '/d',
      '--model',
      '/m',
      '--metrics-port',
      '9500',
      '--config',
      '/c.json',
      '--json',
      '--help',
    ]);
    expect(help).toBe(true);
    expect(options).toEqual({
      agents: 6,
      transport: 'tcp',
      mode: 'processes',
      suite: 'jest',
      suiteFilter: 'x',
      suiteSize: 50,
      durationS: 2.5,
      timeoutS: 30,
      seed: 7,
      fault: { lossRate: 0.01, latencyMs: 25, jitterMs: 5 },
      dataDir: '/d',
      modelDir: '/m',
      metricsBasePort: 9500,
      configPath: '/c.json',
      json: true,
    });
  });

  it.each([
    [['--agents', '3']],
    [['--agents', 'x']],
    [['--transport', 'udp']],
    [['--duration', '-1']],
    [['--suite-size']],
    [['--bogus']],
    [['--fault', 'loss=2']],
    [['--fault', 'smoke=1']],
    [['--fault', 'latency=abc']],
    [['--agents', '--json']],
  ])('rejects %j with a typed error', (argv) => {
    expect(() => parseArgs(argv)).toThrow(InvalidFlagError);
  });

  it('parses an empty fault spec as no faults', () => {
    expect(parseFault('')).toEqual({ lossRate: 0, latencyMs: 0, jitterMs: 0 });
  });
});

describe('runCli', () => {
  it('prints the usage for --help and exits 0', async () => {
    const out: string[] = [];
    expect(await runCli(['--help'], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toBe(USAGE);
  });

  it('reports a bad flag with its code and exits 2', async () => {
    const err: string[] = [];
    expect(await runCli(['--agents', '1'], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
    expect(err.join('\n')).toContain('ERR_INVALID_FLAG');
  });
});

describe('fleet plan', () => {
  it('plans one coordinator, analyser and reporter and the rest executors', () => {
    const plan = planFleet(10);
    expect(plan.executorIds).toHaveLength(7);
    expect(plan.agents.map((a) => a.role).filter((r) => r !== 'executor')).toEqual([
      'coordinator',
      'analyser',
      'reporter',
    ]);
    expect(() => planFleet(3)).toThrow(InvalidFlagError);
  });
});

describe('protocol', () => {
  it('round-trips JSON bodies and refuses malformed ones with a typed error', () => {
    expect(decodeJson('m', encodeJson({ a: 1 }))).toEqual({ a: 1 });
    expect(decodeJson('m', encodeJson(undefined))).toBeNull();
    expect(() => decodeJson('m', new TextEncoder().encode('{'))).toThrow(ProtocolMessageError);
  });

  it('validates each message shape', () => {
    const spec = { kind: 'replay', test: { id: 'x' }, timing: {}, seed: 1 };
    expect(parseAssign({ dispatchId: 'd', taskId: 't', spec })).toMatchObject({ taskId: 't' });
    expect(() => parseAssign({ dispatchId: 'd', taskId: 't', spec: { ...spec, kind: 'x' } })).toThrow(
      ProtocolMessageError,
    );
    expect(() => parseAssign([])).toThrow(ProtocolMessageError);
    expect(() => parseAssign({ dispatchId: '', taskId: 't', spec })).toThrow(ProtocolMessageError);
    const result = { dispatchId: 'd', taskId: 't', executor: 'e', outcome: 'passed', attempts: 1 };
    expect(parseResult(result)).toMatchObject(result);
    expect(() => parseResult({ ...result, outcome: 'meh' })).toThrow(ProtocolMessageError);
    expect(() => parseResult({ ...result, attempts: 0 })).toThrow(ProtocolMessageError);
    expect(parsePredict({ testId: 'x', features: { a: 1 } })).toEqual({ testId: 'x', features: { a: 1 } });
    expect(() => parsePredict({ testId: 'x', features: { a: 'no' } })).toThrow(ProtocolMessageError);
    expect(parsePredictBatch({ tests: [{ testId: 'x', features: {} }] })).toHaveLength(1);
    expect(() => parsePredictBatch({ tests: 1 })).toThrow(ProtocolMessageError);
  });
});
