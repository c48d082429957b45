import { describe, it, expect } from '@jest/globals';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchFleet } from '../../src/fleet/launch-fleet';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const echoAgent = path.join(fixtures, 'echo-agent.mjs');
const misbehaving = path.join(fixtures, 'misbehaving-agent.mjs');

async function udpEcho(port: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    socket.send('hello', port, '127.0.0.1');
    const [msg] = await once(socket, 'message');
    return String(msg);
  } finally {
    socket.close();
  }
}

describe('launchFleet', () => {
  it('runs agents in-process through start(config) and stops them on close', async () => {
    const fleet = await launchFleet({
      mode: 'in-process',
      agents: [
        { id: 'a', entry: echoAgent },
        { id: 'b', entry: echoAgent, env: { X: '1' } },
      ],
    });
    try {
      expect(fleet.agents.map((a) => a.id)).toEqual(['a', 'b']);
      const ready = fleet.agent('b').ready as { port: number };
      expect(await udpEcho(ready.port)).toBe('hello');
      expect(fleet.agent('a').host).toBe('127.0.0.1');
      expect(fleet.agent('a').pid).toBeUndefined();
      expect(() => fleet.agent('zz')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_AGENT' }));
      await expect(fleet.kill('a')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_IN_MODE' });
      await expect(fleet.agent('a').waitForLine(() => true, 10)).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED_IN_MODE',
      });
      await fleet.stop('a');
    } finally {
      await fleet.close();
      await fleet.close();
    }
  });

  it('runs agents as processes: readiness line, captured output, SIGKILL and waitForExit', async () => {
    const lines: string[] = [];
    const fleet = await launchFleet({
      mode: 'processes',
      agents: [
        { id: 'echo-1', entry: echoAgent },
        { id: 'echo-2', entry: echoAgent, args: ['0'] },
      ],
      nodeArgs: ['--no-warnings'],
      onLine: (id, stream, line) => lines.push(`${id}:${stream}:${line}`),
    });
    try {
      const agent = fleet.agent('echo-1');
      expect(agent.pid).toBeGreaterThan(0);
      const ready = agent.ready as { event: string; id: string; port: number };
      expect(ready).toMatchObject({ event: 'ready', id: 'echo-1', execArgv: ['--no-warnings'] });
      expect(await udpEcho(ready.port)).toBe('hello');
      await agent.waitForLine((l) => l.includes('"ready"'), 1_000);
      await fleet
        .agent('echo-2')
        .waitForLine((l) => l === 'never printed', 20)
        .catch((err: unknown) => {
          expect(err).toMatchObject({ code: 'ERR_DEADLINE_EXCEEDED' });
        });
      await expect(fleet.waitForExit('echo-1', 20)).rejects.toMatchObject({ code: 'ERR_DEADLINE_EXCEEDED' });
      // A wait with a long deadline ends when the child does (its timer once kept jest alive for minutes).
      const waiting = agent.waitForLine((l) => l === 'never printed', 3_600_000);
      expect(await fleet.kill('echo-1', 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      await expect(waiting).rejects.toMatchObject({ code: 'ERR_AGENT_EXITED', agentId: 'echo-1' });
      await expect(agent.waitForLine((l) => l.includes('"ready"'), 3_600_000)).resolves.toContain('"ready"');
      expect(agent.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await fleet.waitForExit('echo-1')).toEqual({ code: null, signal: 'SIGKILL' });
      await fleet.stop('echo-2');
      expect(fleet.agent('echo-2').exit).toEqual({ code: 0, signal: null });
      expect(fleet.agent('echo-2').stderr).toContain('stderr works');
      expect(lines).toContain('echo-2:stderr:stderr works');
    } finally {
      await fleet.close();
    }
  });

  it('escalates to SIGKILL when an agent ignores SIGTERM', async () => {
    const fleet = await launchFleet({
      mode: 'processes',
      stopTimeoutMs: 200,
      agents: [{ id: 'stubborn', entry: misbehaving, args: ['ignore-term'] }],
    });
    await fleet.close();
    expect(fleet.agent('stubborn').exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fleet.agent('stubborn').stdout).toContain('not json');
  });

  it('fails with ERR_AGENT_START when a child exits before ready, and stops the others', async () => {
    let started: string | undefined;
    const launch = launchFleet({
      mode: 'processes',
      agents: [
        { id: 'good', entry: echoAgent },
        { id: 'crasher', entry: misbehaving, args: ['crash'] },
      ],
      onLine: (id, _stream, line) => {
        if (id === 'good' && line.includes('ready')) started = line;
      },
    });
    await expect(launch).rejects.toMatchObject({
      code: 'ERR_AGENT_START',
      agentId: 'crasher',
      message: expect.stringContaining('crashing on purpose'),
    });
    expect(started).toBeDefined();
    const { pid } = JSON.parse(started!) as { pid: number };
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('fails with ERR_AGENT_READY_TIMEOUT when a child never reports ready', async () => {
    await expect(
      launchFleet({
        mode: 'processes',
        readyTimeoutMs: 300,
        agents: [{ id: 'silent', entry: misbehaving, args: ['silent'] }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_AGENT_READY_TIMEOUT', agentId: 'silent' });
  });

  it('reports in-process start failures as typed errors', async () => {
    const one = (args: string[], entry = misbehaving, readyTimeoutMs = 2_000) =>
      launchFleet({ mode: 'in-process', readyTimeoutMs, agents: [{ id: 'x', entry, args }] });
    await expect(one(['throw'])).rejects.toMatchObject({
      code: 'ERR_AGENT_START',
      message: expect.stringContaining('start failed on purpose'),
    });
    await expect(one(['no-handle'])).rejects.toMatchObject({
      code: 'ERR_AGENT_START',
      message: expect.stringContaining('stop()'),
    });
    await expect(one(['slow'], misbehaving, 50)).rejects.toMatchObject({ code: 'ERR_AGENT_READY_TIMEOUT' });
    await expect(one([], path.join(fixtures, 'no-start.mjs'))).rejects.toMatchObject({ code: 'ERR_AGENT_START' });
    await expect(one([], path.join(fixtures, 'missing.mjs'))).rejects.toMatchObject({ code: 'ERR_AGENT_START' });
  });

  it('validates options with ERR_INVALID_OPTIONS', async () => {
    const agent = { id: 'a', entry: echoAgent };
    for (const bad of [
      null,
      { mode: 'cluster', agents: [agent] },
      { mode: 'processes', agents: [] },
      { mode: 'processes', agents: [agent, agent] },
      { mode: 'processes', agents: [{ id: '', entry: echoAgent }] },
      { mode: 'processes', agents: [{ id: 'a', entry: '' }] },
      { mode: 'processes', agents: [agent], readyTimeoutMs: 0 },
    ]) {
      await expect(launchFleet(bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    }
  });
});
