import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The version range of the second runtime the libraries are installed and imported on. */
export const NODE22_RANGE = '^22.12.0';

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A Node 22 binary from the `node` npm package, installed once into `cacheDir` (kept between
 * runs; a clean CI clone downloads it, about 30 MB). Resolves to { binary, version } or, when
 * it cannot be had (no registry access), { skip: reason }.
 */
export function ensureNode22(cacheDir, npm) {
  const binary = path.join(cacheDir, 'node_modules', 'node', 'bin', 'node');
  let version = fs.existsSync(binary) ? versionOf(binary) : undefined;
  if (!version?.startsWith('v22.')) {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'package.json'), '{"name":"node22-runtime","private":true}\n');
    try {
      // The default registry (npmjs), not the check's Verdaccio: this is a tool, not a product.
      npm(['install', '--no-audit', '--no-fund', '--loglevel=error', `node@${NODE22_RANGE}`], cacheDir);
    } catch (error) {
      return {
        skip: `could not install node@${NODE22_RANGE} from the npm registry: ${
          String(error.stderr || error.message)
            .trim()
            .split('\n')[0]
        }`,
      };
    }
    version = versionOf(binary);
    if (!version?.startsWith('v22.'))
      return { skip: `node@${NODE22_RANGE} installed but ${binary} reports ${version ?? 'nothing'}` };
  }
  return { binary, version };
}
