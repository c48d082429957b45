#!/usr/bin/env node
// The declaration step of each package's build (after tsup, which writes the JavaScript):
// tsc emits dist/**/*.d.ts with declaration maps (dist/**/*.d.ts.map -> ../src/*.ts, and src/
// ships in the tarball), so "go to definition" in a user's editor lands in our TypeScript
// source instead of a bundled .d.ts. Run from a package directory; reads its tsconfig.lib.json.
//
// Our sources import relative modules without extensions (moduleResolution Bundler). A .d.ts
// with `from './x'` does not resolve for a user on node16/nodenext, so a declaration transformer
// rewrites each relative specifier to the file it names (`./x.js`, `./x/index.js`) before the
// text and its map are written: the maps describe the files as shipped.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const configPath = path.resolve(process.argv[2] ?? 'tsconfig.lib.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) fail([read.error]);
const config = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
if (config.errors.length > 0) fail(config.errors);
const program = ts.createProgram({
  rootNames: config.fileNames,
  options: config.options,
  projectReferences: config.projectReferences,
});

/** `./x` written in `fromFile` -> `./x.js` or `./x/index.js`, whichever source exists; else unchanged. */
function withExtension(specifier, fromFile) {
  if (!/^\.\.?(\/|$)/.test(specifier) || /\.(m?js|json)$/.test(specifier)) return specifier;
  const base = path.resolve(path.dirname(fromFile), specifier);
  if (['.ts', '.d.ts'].some((ext) => fs.existsSync(`${base}${ext}`))) return `${specifier}.js`;
  if (fs.existsSync(path.join(base, 'index.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  return specifier;
}

const rewriteSpecifiers = (context) => (root) => {
  const { factory } = context;
  const fromFile = ts.getOriginalNode(root).fileName ?? root.fileName;
  const literal = (node) => {
    const next = withExtension(node.text, fromFile);
    return next === node.text ? node : factory.createStringLiteral(next);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const { modifiers, importClause, attributes } = node;
      return factory.updateImportDeclaration(node, modifiers, importClause, literal(node.moduleSpecifier), attributes);
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const { modifiers, isTypeOnly, exportClause, attributes } = node;
      const specifier = literal(node.moduleSpecifier);
      return factory.updateExportDeclaration(node, modifiers, isTypeOnly, exportClause, specifier, attributes);
    }
    const argument = ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) ? node.argument : undefined;
    if (argument && ts.isStringLiteral(argument.literal)) {
      const { attributes, qualifier, typeArguments, isTypeOf } = node;
      const updated = factory.updateLiteralTypeNode(argument, literal(argument.literal));
      return factory.updateImportTypeNode(node, updated, attributes, qualifier, typeArguments, isTypeOf);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.isSourceFile(root) ? ts.visitEachChild(root, visit, context) : root;
};

const result = program.emit(undefined, undefined, undefined, true, { afterDeclarations: [rewriteSpecifiers] });
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
if (diagnostics.length > 0 || result.emitSkipped) fail(diagnostics);

function fail(diagnostics) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
  console.error(`emit-declarations ${configPath}:\n${ts.formatDiagnostics(diagnostics, host)}`);
  process.exit(1);
}
