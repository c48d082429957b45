#!/usr/bin/env node
import { runCli } from './cli/run-cli';

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// process.exit drops what a pipe has not taken yet (a large --json summary piped to jq was cut at
// 64 KiB): let stdout and stderr flush first.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
// Lingering handles (TF.js, sockets in TIME_WAIT) must not keep a finished run alive.
process.exit(code);
