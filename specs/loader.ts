import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse } from 'yaml';
import type { ApiName, OpenApiDocument } from './spec.ts';

/** Where an API's spec lives: `specs/<api>.openapi.yaml`. */
export function specPath(api: ApiName): string {
  return fileURLToPath(new URL(`../specs/${api}.openapi.yaml`, import.meta.url));
}

/** The spec exactly as written (YAML parsed, `$ref`s kept). */
export async function readSpec(api: ApiName): Promise<OpenApiDocument> {
  return readSpecFile(specPath(api));
}

/** An OpenAPI document in YAML or JSON (JSON is YAML), exactly as written. */
async function readSpecFile(path: string): Promise<OpenApiDocument> {
  return parse(await readFile(path, 'utf8')) as OpenApiDocument;
}

/**
 * Validates an API's spec against the OpenAPI schema (swagger-parser) and returns it with every
 * `$ref` resolved. Throws with swagger-parser's explanation when the spec is not valid OpenAPI.
 */
export async function loadSpec(api: ApiName): Promise<OpenApiDocument> {
  return loadSpecFile(specPath(api));
}

/** `loadSpec` for a spec of one's own, anywhere: a new API's, before it is built in. */
export async function loadSpecFile(path: string): Promise<OpenApiDocument> {
  // validate() mutates and dereferences its argument; give it a private copy.
  return (await SwaggerParser.validate((await readSpecFile(path)) as never)) as unknown as OpenApiDocument;
}
