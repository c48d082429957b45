import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

// What a TypeScript user of the published packages gets, checked in a project that installed
// all of them from the registry: each package's declarations carry declaration maps whose
// sources ship inside the package, the declarations type-check on their own (skipLibCheck off,
// nodenext resolution: no path into this repository, no undeclared type dependency), and "go to
// definition" on every runtime export lands on that name in a TypeScript source file.

const COMPILER_OPTIONS = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2023',
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  types: ['node'],
};

/** Every file under `dir` whose name ends with `suffix`. */
function walk(dir, suffix) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath, e.name));
}

/**
 * Problems with one installed package's declaration maps ([] when its entry map and every source
 * are there) and how many maps it has.
 */
export function declarationMapProblems(packageDir, repoRoot) {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const entry = path.join(packageDir, manifest.exports?.['.']?.types ?? manifest.types);
  const problems = [];
  if (!fs.existsSync(`${entry}.map`)) problems.push(`${path.relative(packageDir, entry)}.map is missing`);
  const maps = walk(path.join(packageDir, 'dist'), '.d.ts.map');
  for (const file of [...maps, ...walk(path.join(packageDir, 'dist'), '.d.ts')]) {
    if (fs.readFileSync(file, 'utf8').includes(repoRoot)) {
      problems.push(`${path.relative(packageDir, file)} names ${repoRoot}`);
    }
  }
  for (const mapFile of maps) {
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    for (const source of map.sources) {
      const resolved = path.resolve(path.dirname(mapFile), map.sourceRoot ?? '', source);
      const where = `${path.relative(packageDir, mapFile)}: source ${source}`;
      if (path.relative(packageDir, resolved).startsWith('..')) problems.push(`${where} is outside the package`);
      else if (!fs.existsSync(resolved)) problems.push(`${where} is not in the package`);
    }
  }
  return { problems, maps: maps.length };
}

/**
 * Writes `types-check.ts` into `consumer` importing every runtime export of every package in
 * `exportsByPackage` (name -> export names), type-checks it with tsc, then asks the language
 * service for the definition of each import and follows the declaration map to the source.
 * Returns { errors: string[], definitions: number, thirdParty: packages with errors in their own
 * declarations }.
 */
export function checkConsumerTypes(consumer, exportsByPackage) {
  const lines = [];
  const names = [];
  for (const [pkg, exported] of Object.entries(exportsByPackage)) {
    const alias = pkg.replace(/\W/g, '_');
    const specifiers = exported.map((name) => `${name} as ${alias}_${name}`);
    lines.push(`import { ${specifiers.join(', ')} } from '${pkg}';`);
    lines.push(`console.log(${exported.map((name) => `${alias}_${name}`).join(', ')});`);
    names.push(...exported.map((name) => ({ pkg, name })));
  }
  const fileName = path.join(consumer, 'types-check.ts');
  const text = `${lines.join('\n')}\n`;
  fs.writeFileSync(fileName, text);
  const options = ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, consumer).options;
  const errors = [];
  const service = ts.createLanguageService({
    getCompilationSettings: () => options,
    getScriptFileNames: () => [fileName],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => (fs.existsSync(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
    getCurrentDirectory: () => consumer,
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  });
  const program = service.getProgram();
  // skipLibCheck is off so that our declarations are checked; errors inside third-party
  // declarations (@tensorflow/* has some under strict) are counted, not ours to fail on.
  const ours = (d) =>
    !d.file?.fileName.includes('/node_modules/') || d.file.fileName.includes('/node_modules/@agentlink/');
  const all = ts.getPreEmitDiagnostics(program);
  const diagnostics = all.filter(ours);
  const packageOf = (d) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(d.file.fileName)[1];
  const thirdParty = new Set(all.filter((d) => !ours(d)).map(packageOf));
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => consumer, getNewLine: () => '\n' };
    errors.push(`tsc --noEmit (nodenext, strict, skipLibCheck off):\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  let offset = 0;
  for (const { pkg, name } of names) {
    offset = text.indexOf(`${name} as `, offset);
    const problem = definitionProblem(service, fileName, offset, name);
    if (problem) errors.push(`${pkg} ${name}: ${problem}`);
    offset += name.length;
  }
  service.dispose();
  return { errors, definitions: names.length, thirdParty: [...thirdParty] };
}

/** Why "go to definition" on `name` at `position` does not land on `name` in a .ts source, or undefined. */
function definitionProblem(service, fileName, position, name) {
  const [definition] = service.getDefinitionAtPosition(fileName, position) ?? [];
  if (!definition) return 'no definition';
  if (!definition.fileName.endsWith('.d.ts')) return `definition in ${definition.fileName}, not a declaration file`;
  const mapFile = `${definition.fileName}.map`;
  if (!fs.existsSync(mapFile)) return `no ${path.basename(mapFile)}`;
  const declaration = fs.readFileSync(definition.fileName, 'utf8');
  const before = declaration.slice(0, definition.textSpan.start).split('\n');
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
  const found = new SourceMap(map).findEntry(before.length - 1, before.at(-1).length);
  if (!found?.originalSource) return `${path.basename(mapFile)} maps nothing at the declaration`;
  const source = path.resolve(path.dirname(mapFile), map.sourceRoot ?? '', found.originalSource);
  if (!source.endsWith('.ts') || source.endsWith('.d.ts') || !fs.existsSync(source)) return `maps to ${source}`;
  const line = fs.readFileSync(source, 'utf8').split('\n')[found.originalLine] ?? '';
  if (!line.slice(found.originalColumn).startsWith(name)) {
    const at = `${source}:${found.originalLine + 1}:${found.originalColumn + 1}`;
    return `maps to ${at}, which is not ${name}: ${line.trim()}`;
  }
  return undefined;
}
