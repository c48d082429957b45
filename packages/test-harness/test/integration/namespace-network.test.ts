import { describe, it, expect } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NamespaceNetwork, namespaceSupport } from '../../src/fleet/network-namespaces';

const holder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'namespace-holder.ts');
const support = namespaceSupport();
const listNamespaces = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
const maybe = support.available ? it : it.skip;
if (!support.available) console.warn(`SKIPPED namespace network tests: ${support.reason}`);

describe('NamespaceNetwork', () => {
  maybe('runs commands inside its own namespaces only, under the prefix it was given', async () => {
    await expect(NamespaceNetwork.create(1, '10.213.0', 'Bad-Prefix')).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    const network = await NamespaceNetwork.create(1, '10.213.0', 'altest');
    try {
      const [agent] = network.namespaces as [string];
      expect(agent).toMatch(/^altest-[0-9a-f]{6}-1$/);
      expect(await network.exec(agent, 'ip', ['-4', '-br', 'addr', 'show', 'eth0'])).toContain('10.213.0.2/24');
      // The host's namespace is not one of ours, and neither is a name someone else made.
      await expect(network.exec('host', 'true', [])).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
      await expect(network.exec(agent, 'false', [])).rejects.toMatchObject({ code: 'ERR_NAMESPACE_COMMAND' });
    } finally {
      await network.destroy();
    }
    await expect(network.exec(network.namespaces[0]!, 'true', [])).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    expect(listNamespaces()).not.toContain(network.hub);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    maybe(
      `${signal} deletes every namespace of the process, which then ends by that signal`,
      async () => {
        const child = spawn(process.execPath, ['--import', 'tsx', holder], { stdio: ['ignore', 'pipe', 'inherit'] });
        const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
        const names = JSON.parse(line) as string[];
        expect(names).toHaveLength(3);
        for (const name of names) expect(listNamespaces()).toContain(name);
        const exited = once(child, 'exit');
        child.kill(signal);
        const [code, endedBy] = (await exited) as [number | null, NodeJS.Signals | null];
        expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
        const after = listNamespaces();
        for (const name of names) expect(after).not.toContain(name);
      },
      30_000,
    );
  }
});
