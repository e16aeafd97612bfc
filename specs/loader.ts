// The built-in specs' files, for the build step (scripts/generate-specs.ts) and tests: Node only.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadDocument } from './load.ts';
import type { ApiName, OpenApiDocument } from './spec.ts';

/** Where an API's spec lives: `specs/<api>.openapi.yaml`. */
export function specPath(api: ApiName): string {
  return fileURLToPath(new URL(`../specs/${api}.openapi.yaml`, import.meta.url));
}

/** The spec exactly as written (YAML parsed, `$ref`s kept). */
export async function readSpec(api: ApiName): Promise<OpenApiDocument> {
  return parse(await readFile(specPath(api), 'utf8')) as OpenApiDocument;
}

/**
 * Validates a built-in API's spec against the OpenAPI schema (swagger-parser) and returns it with
 * every `$ref` resolved, as `loadSpec` loads any other; throws with the file and the problem.
 */
export async function loadBuiltInDocument(api: ApiName): Promise<OpenApiDocument> {
  return loadDocument(specPath(api), api);
}
