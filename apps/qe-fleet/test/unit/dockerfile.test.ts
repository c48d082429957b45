import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { findRepoRoot } from '../../src/suite/suite-files';

// docker cannot run here, so the image recipe is checked statically against the workspace.
const root = findRepoRoot(import.meta.dirname ?? process.cwd())!;
const dockerfile = readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const manifest = (
  dir: string,
): { name: string; bin?: Record<string, string>; dependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
const byName = new Map(
  [
    'packages/resilience',
    'packages/transport',
    'packages/learning',
    'packages/telemetry',
    'packages/test-harness',
    'apps/qe-fleet',
    'tools/bench',
  ].map((dir) => [manifest(dir).name, dir]),
);

/** @agentlink/* packages `name` needs at run time, itself included. */
function runtimeClosure(name: string, seen = new Set<string>()): Set<string> {
  seen.add(name);
  for (const dependency of Object.keys(manifest(byName.get(name)!).dependencies ?? {})) {
    if (dependency.startsWith('@agentlink/') && !seen.has(dependency)) runtimeClosure(dependency, seen);
  }
  return seen;
}

describe('deploy/Dockerfile and .dockerignore', () => {
  it('the build context leaves out installed and built output and git history, and keeps what npm ci needs', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist']));
    for (const needed of ['package.json', 'package-lock.json', 'patches', 'tools', 'packages', 'apps']) {
      expect({ needed, ignored: ignored.includes(needed) }).toEqual({ needed, ignored: false });
    }
  });

  it('packs only the app and the @agentlink packages it runs on: no test harness, bench or workspace link', () => {
    const packed = [...dockerfile.matchAll(/-w (\S+)/g)].map((m) => manifest(m[1]!).name).sort();
    expect(packed).toEqual([...runtimeClosure('@agentlink/qe-fleet')].sort());
    expect(packed).not.toContain('@agentlink/bench');
    expect(packed).not.toContain('@agentlink/test-harness');
  });

  it('the runtime stage holds only installed tarballs and starts the bin of the installed app', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect([...runtime.matchAll(/^COPY .*$/gm)].map((m) => m[0])).toEqual(['COPY --from=build /tarballs /tarballs']);
    expect(runtime).toMatch(/npm install --omit=dev[^\n]* \/tarballs\/\*\.tgz/);
    const app = manifest('apps/qe-fleet');
    const entry = path.posix.join('node_modules', app.name, app.bin!['qe-fleet']!);
    expect(runtime).toContain(`ENTRYPOINT ["node", "${entry}"]`);
    expect(runtime).toMatch(/^USER \d+:\d+$/m);
  });
});
