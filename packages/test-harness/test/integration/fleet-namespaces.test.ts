import { describe, it, expect, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchFleet } from '../../src/fleet/launch-fleet';
import { NamespaceNetwork, namespaceSupport } from '../../src/fleet/network-namespaces';

const echoAgent = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'echo-agent.mjs');
const support = namespaceSupport();
const listNamespaces = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

if (!support.available) {
  console.warn(`SKIPPED network-namespace fleet tests: ${support.reason}`);
}

describe('launchFleet in network namespaces', () => {
  (support.available ? it : it.skip)(
    'agents in separate namespaces reach each other over UDP, and teardown leaves nothing',
    async () => {
      const fleet = await launchFleet({
        mode: 'namespaces',
        agents: [
          { id: 'alpha', entry: echoAgent, args: ['7000'] },
          { id: 'beta', entry: echoAgent, args: ['7000', '--ping', 'alpha', '7000'] },
        ],
      });
      const names = fleet.agents.map((a) => a.namespace!);
      try {
        expect(fleet.agent('alpha').host).toBe('10.213.0.2');
        expect(fleet.agent('beta').host).toBe('10.213.0.3');
        expect(fleet.agent('beta').ready).toMatchObject({ host: '10.213.0.3', port: 7000 });
        const line = await fleet.agent('beta').waitForLine((l) => l.includes('echo-'), 10_000);
        expect(JSON.parse(line)).toEqual({ event: 'echo-ok', from: '10.213.0.2' });
        for (const name of names) expect(listNamespaces()).toContain(name);
      } finally {
        await fleet.close();
      }
      const after = listNamespaces();
      for (const name of [...names, names[0].replace(/-1$/, '-hub')]) expect(after).not.toContain(name);
    },
  );

  (support.available ? it : it.skip)('tears down what it created when an agent fails to start', async () => {
    const before = listNamespaces();
    await expect(
      launchFleet({
        mode: 'namespaces',
        readyTimeoutMs: 5_000,
        agents: [{ id: 'missing', entry: '/nonexistent/agent.mjs' }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_AGENT_START' });
    expect(listNamespaces()).toBe(before);
  });

  (support.available ? it : it.skip)(
    'rejects a malformed subnet, and reports a failed ip command as ERR_NAMESPACE_COMMAND after removing the rest',
    async () => {
      await expect(NamespaceNetwork.create(1, '10.300.0')).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
      await expect(NamespaceNetwork.create(0)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
      const network = await NamespaceNetwork.create(2);
      // Someone else removed the hub: destroy() still removes the rest, then reports the failure.
      execFileSync('ip', ['netns', 'del', network.hub]);
      await expect(network.destroy()).rejects.toMatchObject({
        code: 'ERR_NAMESPACE_COMMAND',
        command: ['netns', 'del', network.hub],
      });
      await network.destroy();
      for (const name of [network.hub, ...network.namespaces]) expect(listNamespaces()).not.toContain(name);
    },
  );

  it('explains why namespaces are unavailable: not root, or no ip command', async () => {
    const uid = jest.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(namespaceSupport()).toEqual({ available: false, reason: expect.stringContaining('root') });
      await expect(launchFleet({ mode: 'namespaces', agents: [{ id: 'a', entry: echoAgent }] })).rejects.toMatchObject(
        {
          code: 'ERR_NAMESPACES_UNAVAILABLE',
          message: expect.stringContaining('needs root'),
        },
      );
    } finally {
      uid.mockRestore();
    }
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(namespaceSupport()).toEqual(
        support.available ? { available: false, reason: expect.stringContaining('iproute2') } : expect.anything(),
      );
    } finally {
      process.env.PATH = savedPath;
    }
  });

  (support.available ? it.skip : it)(
    'refuses namespaces mode with ERR_NAMESPACES_UNAVAILABLE when unsupported',
    async () => {
      await expect(launchFleet({ mode: 'namespaces', agents: [{ id: 'a', entry: echoAgent }] })).rejects.toMatchObject(
        {
          code: 'ERR_NAMESPACES_UNAVAILABLE',
        },
      );
    },
  );
});
