#!/usr/bin/env node
import { runCli } from './cli/run-cli';

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// Lingering handles (TF.js, sockets in TIME_WAIT) must not keep a finished run alive.
process.exit(code);
