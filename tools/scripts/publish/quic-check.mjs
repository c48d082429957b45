import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const program = path.join(path.dirname(fileURLToPath(import.meta.url)), 'quic-pristine-program.mjs');

/**
 * Issue 13's tarball check, in a project that installed @agentlink/transport alone from the
 * registry: no install or patch step runs, the @matrixai/quic it got is the published one
 * (no trace of our old patches), and quic-pristine-program.mjs passes there. Throws otherwise;
 * returns the program's output.
 */
export function checkPristineQuic(consumer, rt) {
  const modules = path.join(consumer, 'node_modules');
  const transport = JSON.parse(fs.readFileSync(path.join(modules, '@agentlink/transport/package.json'), 'utf8'));
  const steps = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => transport.scripts?.[s]);
  if (steps.length > 0) throw new Error(`@agentlink/transport runs ${steps.join(', ')} on install`);
  const quic = path.join(modules, '@matrixai/quic');
  if (fs.existsSync(path.join(modules, 'patch-package')) || fs.existsSync(path.join(consumer, 'patches'))) {
    throw new Error('patch-package or patches/ in the consumer: this check needs a pristine @matrixai/quic');
  }
  for (const file of fs.readdirSync(path.join(quic, 'dist')).filter((f) => f.endsWith('.js'))) {
    if (fs.readFileSync(path.join(quic, 'dist', file), 'utf8').includes('agentlink')) {
      throw new Error(`the installed @matrixai/quic carries a patch (dist/${file} names agentlink)`);
    }
  }
  fs.copyFileSync(program, path.join(consumer, 'quic-pristine-check.mjs'));
  return rt.run(['quic-pristine-check.mjs'], consumer, 120_000);
}
