// Extracts the runnable examples of a README: every fenced block tagged ts, typescript, js,
// javascript or mjs. An HTML comment on the line right above a fence changes what happens to it:
//   <!-- example: signature -->   an API declaration, not a program: listed as skipped, never run
//   <!-- example: continues -->   runs appended to the previous example (same program)
// Anything else in an `example:` comment is an error, so a typo cannot silently skip an example.

const LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const MARKER = /^<!--\s*example:\s*(.*?)\s*-->$/;
const KINDS = new Set(['signature', 'continues']);

/**
 * Returns { examples, skipped }: examples are { line, code, typescript } (line = the opening
 * fence, 1-based); skipped are { line, reason }.
 */
export function extractExamples(markdown, file = 'README.md') {
  const lines = markdown.split(/\r?\n/);
  const examples = [];
  const skipped = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    const language = open[3].toLowerCase();
    const code = lines.slice(i + 1, end).join('\n');
    const start = i + 1;
    i = end;
    if (!LANGUAGES.has(language)) continue;
    const marker = MARKER.exec(lines[start - 2]?.trim() ?? '');
    const kind = marker?.[1];
    if (kind !== undefined && !KINDS.has(kind))
      throw new Error(`${file}:${start - 1}: unknown example marker "${kind}"`);
    if (kind === 'signature') {
      skipped.push({ line: start, reason: 'signature' });
    } else if (kind === 'continues') {
      const previous = examples.at(-1);
      if (previous === undefined) throw new Error(`${file}:${start}: "continues" but no example before it`);
      previous.code += `\n// ${file}:${start}\n${code}`;
      previous.typescript ||= /^(ts|typescript)$/.test(language);
    } else {
      examples.push({
        line: start,
        code: `// ${file}:${start}\n${code}`,
        typescript: language === 'ts' || language === 'typescript',
      });
    }
  }
  return { examples, skipped };
}

/** The @agentlink/* packages an example imports. */
export function agentlinkImports(code) {
  return [...new Set([...code.matchAll(/from\s+['"](@agentlink\/[\w-]+)['"]/g)].map((m) => m[1]))];
}
