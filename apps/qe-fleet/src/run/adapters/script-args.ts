/**
 * Positional arguments given to a command in package.json scripts, e.g. the `node-test/` of
 * `node --test node-test/` or the glob of `mocha 'test/**\/*.spec.js'`: where the project keeps
 * its tests when the runner has no configuration file.
 */
export function scriptPositionals(scripts: Readonly<Record<string, string>> | undefined, command: RegExp): string[] {
  const found: string[] = [];
  for (const script of Object.values(scripts ?? {})) {
    for (const segment of script.split(/&&|\|\||;|\|/)) {
      const match = command.exec(segment);
      if (match === null) continue;
      const rest = segment.slice(match.index + match[0].length);
      const words = rest.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
      for (const word of words) {
        const clean = word.replace(/^['"]|['"]$/g, '');
        if (!clean.startsWith('-') && clean.length > 0 && !clean.includes('=')) found.push(clean);
      }
    }
  }
  return found;
}
