import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, createDevelopmentCredentials, issueCertificate } from '@agentlink/transport';
import { parseConfig, validateConfig } from '../../src/config/fleet-config';
import { loadCredentials } from '../../src/config/load-credentials';
import { planFromConfig, readConfigFile } from '../../src/config/run-configured-agent';
import {
  ConfigError,
  ConfigReadError,
  ConfigSyntaxError,
  ConfigUnknownKeyError,
  ConfigValueError,
  ProductionCertificatesRequiredError,
} from '../../src/errors';

const BASE = {
  agent: { id: 'executor-1', role: 'executor' },
  transport: 'quic',
  listen: { host: '0.0.0.0', udpPort: 4433, tcpPort: 4434 },
  metrics: { host: '0.0.0.0', port: 9464 },
  peers: [
    {
      id: 'coordinator',
      role: 'coordinator',
      host: 'qe-fleet-0.qe-fleet',
      udpPort: 4433,
      tcpPort: 4434,
      serverName: 'coordinator',
    },
    { id: 'analyser', role: 'analyser', host: 'qe-fleet-1.qe-fleet', udpPort: 4433 },
    { id: 'reporter', role: 'reporter', host: 'qe-fleet-2.qe-fleet', udpPort: 4433 },
  ],
};

let dir: string;
const files = { dev: { certFile: '', keyFile: '', caFile: '' }, real: { certFile: '', keyFile: '', caFile: '' } };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-config-'));
  const dev = (await createDevelopmentCredentials({ agentIds: ['executor-1'] })).agents['executor-1']!;
  const ca = await createCertificateAuthority();
  const real = await issueCertificate(ca, { agentId: 'executor-1', usage: 'both' });
  for (const [name, creds] of [
    ['dev', dev],
    ['real', { ...real, caPem: ca.certPem }],
  ] as const) {
    for (const [field, pem] of [
      ['certFile', creds.certPem],
      ['keyFile', creds.keyPem],
      ['caFile', creds.caPem!],
    ] as const) {
      const file = path.join(dir, `${name}-${field}.pem`);
      await writeFile(file, pem);
      files[name][field] = file;
    }
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('configuration file', () => {
  it('accepts the documented schema and fills defaults', () => {
    const config = validateConfig(
      { ...BASE, transport: undefined, metrics: undefined, listen: { udpPort: 0 } },
      'x.json',
    );
    expect(config.transport).toBe('quic');
    expect(config.listen.host).toBe('0.0.0.0');
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.peers[0]).toMatchObject({ serverName: 'coordinator', tcpPort: 4434 });
    expect(planFromConfig(config)).toMatchObject({
      coordinatorId: 'coordinator',
      analyserId: 'analyser',
      reporterId: 'reporter',
      executorIds: ['executor-1'],
    });
  });

  it.each([
    ['not an object', []],
    ['bad role', { ...BASE, agent: { id: 'x', role: 'boss' } }],
    ['bad id', { ...BASE, agent: { id: 'no spaces', role: 'executor' } }],
    ['bad port', { ...BASE, listen: { udpPort: 70_000 } }],
    ['bad transport', { ...BASE, transport: 'sctp' }],
    ['peers not a list', { ...BASE, peers: {} }],
    ['duplicate peer', { ...BASE, peers: [...BASE.peers, BASE.peers[0]] }],
    ['missing analyser', { ...BASE, peers: BASE.peers.filter((p) => p.role !== 'analyser') }],
    ['bad tls', { ...BASE, tls: { certFile: '' } }],
    [
      'negative tls.reloadIntervalS',
      { ...BASE, tls: { certFile: 'a', keyFile: 'b', caFile: 'c', reloadIntervalS: -1 } },
    ],
    [
      'text tls.reloadIntervalS',
      { ...BASE, tls: { certFile: 'a', keyFile: 'b', caFile: 'c', reloadIntervalS: '60' } },
    ],
    ['bad serverName', { ...BASE, peers: [{ ...BASE.peers[0], serverName: 5 }, ...BASE.peers.slice(1)] }],
  ])('refuses %s with ConfigError', (_name, value) => {
    expect(() => validateConfig(value, 'x.json')).toThrow(ConfigError);
  });

  // Issue 16: a typo must not start silently, and every error names file, field and value.
  it.each([
    ['metric', { ...BASE, metric: { port: 9999 } }, 'metric', { port: 9999 }],
    ['agent.name', { ...BASE, agent: { ...BASE.agent, name: 'x' } }, 'agent.name', 'x'],
    ['listen.udp', { ...BASE, listen: { ...BASE.listen, udp: 1 } }, 'listen.udp', 1],
    [
      'peers[1].port',
      { ...BASE, peers: [BASE.peers[0], { ...BASE.peers[1], port: 4433 }, BASE.peers[2]] },
      'peers[1].port',
      4433,
    ],
    ['tls.cert', { ...BASE, tls: { certFile: 'a', keyFile: 'b', caFile: 'c', cert: 'd' } }, 'tls.cert', 'd'],
    ['suite.sizes', { ...BASE, suite: { sizes: 3 } }, 'suite.sizes', 3],
  ])('refuses the unknown key %s with its key path', (_name, value, field, bad) => {
    const error = (() => {
      try {
        return validateConfig(value, 'conf/agent.json');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigUnknownKeyError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_UNKNOWN_KEY', file: 'conf/agent.json', field, value: bad });
    expect((error as Error).message).toContain(
      `configuration conf/agent.json: unknown key ${field} = ${JSON.stringify(bad)}`,
    );
  });

  it.each([
    ['suite.size', { ...BASE, suite: { size: 'many' } }, 'many'],
    ['suite.rounds', { ...BASE, suite: { rounds: -1 } }, -1],
    ['suite.durationS', { ...BASE, suite: { durationS: 0 } }, 0],
    ['suite.pauseS', { ...BASE, suite: { pauseS: 'soon' } }, 'soon'],
    ['listen.udpPort', { ...BASE, listen: { udpPort: 70_000 } }, 70_000],
    ['peers[2].role', { ...BASE, peers: [BASE.peers[0], BASE.peers[1], { ...BASE.peers[2], role: 'boss' }] }, 'boss'],
    ['transport', { ...BASE, transport: 'sctp' }, 'sctp'],
    ['agent.id', { ...BASE, agent: { id: 'no spaces', role: 'executor' } }, 'no spaces'],
  ])('names file, field and value of a bad %s', (field, value, bad) => {
    let error: unknown;
    try {
      validateConfig(value, 'conf/agent.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValueError);
    expect(error).toMatchObject({ code: 'ERR_CONFIG_VALUE', file: 'conf/agent.json', field, value: bad });
    expect((error as Error).message).toContain(`configuration conf/agent.json: ${field} = ${JSON.stringify(bad)}: `);
  });

  it('refuses text that is not JSON, and a missing file', async () => {
    expect(() => parseConfig('{', 'x.json')).toThrow(ConfigSyntaxError);
    expect(() => parseConfig('{', 'x.json')).toThrow(/x.json: is not JSON/);
    await expect(readConfigFile(path.join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'ERR_CONFIG_READ',
      file: path.join(dir, 'missing.json'),
    });
    await expect(readConfigFile(path.join(dir, 'missing.json'))).rejects.toThrow(ConfigReadError);
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(BASE));
    expect((await readConfigFile(file)).agent.id).toBe('executor-1');
  });
});

describe('certificates', () => {
  const ENVIRONMENTS = [undefined, 'production', 'prod', 'staging', 'development'];

  it('loads development certificates only when the configuration says "development": true', async () => {
    const config = validateConfig({ ...BASE, tls: files.dev, development: true }, 'x.json');
    expect(config.development).toBe(true);
    const credentials = await loadCredentials(config, 'x.json');
    expect(credentials.certPem).toContain('BEGIN CERTIFICATE');
    const wrong = { ...BASE, development: 'yes' };
    expect(() => validateConfig(wrong, 'x.json')).toThrow(/development = "yes": must be true or false/);
  });

  it('refuses development certificates without "development": true, whatever NODE_ENV says', async () => {
    const dev = validateConfig({ ...BASE, tls: files.dev }, 'x.json');
    const real = validateConfig({ ...BASE, tls: files.real }, 'x.json');
    const saved = process.env['NODE_ENV'];
    const setNodeEnv = (value: string | undefined): void => {
      if (value === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = value;
    };
    try {
      for (const value of ENVIRONMENTS) {
        setNodeEnv(value);
        const error = await loadCredentials(dev, 'x.json').catch((e: unknown) => e);
        expect([value, error]).toEqual([value, expect.any(ProductionCertificatesRequiredError)]);
        expect((error as Error).message).toContain(files.dev.certFile);
        const loaded = await loadCredentials(real, 'x.json');
        expect(loaded.caPem).toContain('BEGIN CERTIFICATE');
      }
    } finally {
      setNodeEnv(saved);
    }
  });

  it('refuses to start without certificate paths', async () => {
    await expect(loadCredentials(validateConfig(BASE, 'x.json'), 'x.json')).rejects.toThrow(ConfigError);
  });

  it('names unreadable or empty certificate files', async () => {
    const missing = validateConfig({ ...BASE, tls: { ...files.dev, keyFile: path.join(dir, 'nope.pem') } }, 'x.json');
    await expect(loadCredentials(missing, 'x.json')).rejects.toMatchObject({
      code: 'ERR_CONFIG_VALUE',
      file: 'x.json',
      field: 'tls.keyFile',
      value: path.join(dir, 'nope.pem'),
    });
    const empty = path.join(dir, 'empty.pem');
    await writeFile(empty, 'nothing');
    const none = validateConfig({ ...BASE, tls: { ...files.dev, caFile: empty } }, 'x.json');
    await expect(loadCredentials(none, 'x.json')).rejects.toThrow(/at least one PEM certificate/);
    const garbage = path.join(dir, 'garbage.pem');
    await writeFile(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const bad = validateConfig({ ...BASE, tls: { ...files.dev, caFile: garbage } }, 'x.json');
    await expect(loadCredentials(bad, 'x.json')).rejects.toThrow(/unreadable certificate/);
  });
});
