// Generates the designer's API types (src/api/openapi.generated.ts) from the server's OpenAPI
// document (openapi.json, a copy of the server's /openapi/v1.json that a server test keeps equal
// to it). The designer's types in src/api/types.ts are derived from the generated ones, so a
// server change that breaks what the designer reads fails the type check of `npm run build`.
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const banner = '// Generated from openapi.json by scripts/api-types.mjs at build time; do not edit.\n\n';

/** The designer's copy of the server's OpenAPI document. */
export function readDocument(file = join(root, 'openapi.json')) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The TypeScript declarations of an OpenAPI document (an object, already parsed). */
export async function generateApiTypes(document) {
  if (!document || typeof document !== 'object' || typeof document.openapi !== 'string') {
    throw new Error('Not an OpenAPI document: it has no "openapi" version member.');
  }
  return banner + astToString(await openapiTS(document, { alphabetize: true }));
}

/** Reads <from>, writes the declarations to <to> (only when they changed, so watchers stay quiet). */
export async function writeApiTypes(from, to) {
  const text = await generateApiTypes(JSON.parse(await readFile(from, 'utf8')));
  const before = await readFile(to, 'utf8').catch(() => null);
  if (before !== text) await writeFile(to, text);
  return text;
}

/**
 * Type-checks the designer's sources (tsconfig.json) with the types generated from <document> in
 * place of src/api/openapi.generated.ts, as the build would; returns every problem as text.
 */
export async function typeCheckAgainst(document) {
  const generated = await generateApiTypes(document);
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const target = join(root, 'src/api/openapi.generated.ts');
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => (resolve(file) === target ? generated : read(file));
  host.fileExists = (file) => resolve(file) === target || ts.sys.fileExists(file);
  const program = ts.createProgram([...new Set([...config.fileNames, target])], config.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(root.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [from = 'openapi.json', to = 'src/api/openapi.generated.ts'] = process.argv.slice(2);
  await writeApiTypes(from, to);
}
