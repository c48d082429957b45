import fs from 'node:fs';
import path from 'node:path';

export const REPOSITORY_URL = 'https://github.com/agentlink/agentlink';

/**
 * Problems with the links of a package README: a relative link must name a file (or directory)
 * inside the package's tarball, since that is all an npm user has; a link into this repository
 * must be absolute (`REPOSITORY_URL/blob|tree/main/<path>`) and name a path that exists.
 */
export function readmeLinkProblems(markdown, packedFiles, repoRoot) {
  const problems = [];
  const packed = new Set(packedFiles);
  const inTarball = (file) => packed.has(file) || packedFiles.some((f) => f.startsWith(`${file}/`));
  for (const match of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    if (target.startsWith('#') || target.startsWith('mailto:')) continue;
    const inRepo = target.match(new RegExp(`^${REPOSITORY_URL.replace(/[.]/g, '\\.')}/(?:blob|tree)/main/([^#?]+)`));
    if (inRepo) {
      if (!fs.existsSync(path.join(repoRoot, decodeURIComponent(inRepo[1]))))
        problems.push(`${target}: no such path in the repository`);
      continue;
    }
    if (/^[a-z]+:/i.test(target)) continue;
    const file = path.posix.normalize(decodeURIComponent(target.split('#')[0]).replace(/^\.\//, ''));
    if (file.startsWith('..') || !inTarball(file.replace(/\/$/, '')))
      problems.push(`${target}: not in the tarball (link ${REPOSITORY_URL}/blob/main/... for repository files)`);
  }
  return problems;
}
