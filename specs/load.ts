// Loading an API's spec of one's own at run time, as `npm run build` loads the built-in ones:
// parsed (YAML or JSON), validated against the OpenAPI schema and dereferenced. This module is
// also in the browser bundle (specs/index.ts exports it), so Node's modules and the parsers are
// imported when a spec is loaded, never when the module is.
import { ApiSpec, type OpenApiDocument } from './spec.ts';

export interface LoadSpecOptions {
  /** The API's name: the one `usermock check <api>` takes, and its mock's mount. */
  name: string;
}

/**
 * A module `loadSpec` needs, loaded when it runs (in Node) and by a specifier no bundler follows:
 * the browser entry exports `loadSpec` too, and Vite or esbuild must not pull Node's modules and the
 * parsers into a page.
 */
const nodeOnly = <T>(specifier: string): Promise<T> => import(/* @vite-ignore */ specifier) as Promise<T>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/**
 * An API's spec from an OpenAPI 3 file (YAML or JSON; a path or a `file:` URL) or a document
 * object, validated and with every `$ref` resolved (relative ones from the file's folder). Every
 * operation needs an `operationId`: the mock and the contract suite name operations by it. Throws
 * an error naming the file (or the API) and the problem. `T` types `call` (see `ApiSpec`).
 */
export async function loadSpec<T = any>(source: string | URL | object, options: LoadSpecOptions): Promise<ApiSpec<T>> {
  return new ApiSpec<T>(options.name, await loadDocument(source, options.name));
}

/** The validated, dereferenced document of `loadSpec`. */
export async function loadDocument(source: string | URL | object, name: string): Promise<OpenApiDocument> {
  const file =
    typeof source === 'string'
      ? source
      : source instanceof URL
        ? (await nodeOnly<typeof import('node:url')>('node:url')).fileURLToPath(source)
        : undefined;
  const where = file ?? `the ${name} spec`;
  const written = file === undefined ? structuredCopy(source as object, where) : await readDocument(file);
  const version = (written as { openapi?: unknown } | null)?.openapi;
  if (typeof version !== 'string' || !version.startsWith('3.'))
    throw new Error(`${where}: not an OpenAPI 3 document (its openapi field is ${JSON.stringify(version) ?? 'missing'})`);
  const { default: SwaggerParser } = await nodeOnly<{ default: typeof import('@apidevtools/swagger-parser') }>(
    '@apidevtools/swagger-parser',
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `${where}: loadSpec needs @apidevtools/swagger-parser, an optional peer dependency of usermock: npm install --save-dev @apidevtools/swagger-parser@^12`,
    );
  });
  let document: OpenApiDocument;
  try {
    // validate() mutates and dereferences its argument: it is given a copy of its own.
    const validated = file === undefined ? SwaggerParser.validate(written as never) : SwaggerParser.validate(file, written as never, {});
    document = (await validated) as unknown as OpenApiDocument;
  } catch (error) {
    throw new Error(`${where}: not valid OpenAPI: ${(error as Error).message}`, { cause: error });
  }
  const ids = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: unknown } | undefined;
      if (!operation) continue;
      const at = `${method.toUpperCase()} ${path}`;
      if (typeof operation.operationId !== 'string' || operation.operationId === '')
        throw new Error(`${where}: ${at} has no operationId (the mock and the contract suite name operations by it)`);
      const twin = ids.get(operation.operationId);
      if (twin) throw new Error(`${where}: ${at} and ${twin} have the same operationId ${operation.operationId}`);
      ids.set(operation.operationId, at);
    }
  }
  return document;
}

/** A file's document, exactly as written. */
async function readDocument(file: string): Promise<unknown> {
  const [{ readFile }, { parse }] = await Promise.all([
    nodeOnly<typeof import('node:fs/promises')>('node:fs/promises'),
    nodeOnly<typeof import('yaml')>('yaml'),
  ]);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the spec: ${(error as Error).message}`, { cause: error });
  }
  try {
    // JSON is YAML: one parser reads both.
    return parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
}

function structuredCopy(document: object, where: string): unknown {
  try {
    return structuredClone(document);
  } catch (error) {
    throw new Error(`${where}: not a plain document object: ${(error as Error).message}`, { cause: error });
  }
}
