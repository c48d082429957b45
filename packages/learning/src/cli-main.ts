import { runCli } from './cli';

// Entry point of the `agentlink-learn` binary; the logic lives in cli.ts so tests can call it.
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY,
});
process.exitCode = code;
