// Child process of the publish check: a Verdaccio registry on 127.0.0.1, ephemeral port, storage
// in the directory given. @agentlink/* live only here (no uplink: a missing sibling is a 404,
// as on a real registry before it is published); everything else is proxied from npmjs.
// Prints one JSON line {"port": n} once listening.
import path from 'node:path';
import { runServer } from 'verdaccio';

const dir = process.argv[2];
if (!dir) throw new Error('usage: verdaccio-child.mjs <storage-dir>');
const server = await runServer({
  self_path: dir,
  storage: path.join(dir, 'storage'),
  auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: -1 } },
  uplinks: {
    npmjs: { url: process.env.PUBLISH_CHECK_UPLINK ?? 'https://registry.npmjs.org/', timeout: '60s', maxage: '30m' },
  },
  packages: {
    '@agentlink/*': { access: '$all', publish: '$all', unpublish: '$all' },
    '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
  },
  max_body_size: '50mb',
  log: { type: 'stdout', format: 'pretty', level: 'warn' },
  web: { enable: false },
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
