import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS; its plugin is reachable as `.default` under every interop (Node, esbuild, Vite).
const addFormats = formats.default;

/** A JSON Schema object as it appears in a dereferenced OpenAPI 3.0 document. */
export type Schema = Record<string, unknown>;

/** Which side of the wire a schema describes: readOnly and writeOnly properties depend on it. */
export type Direction = 'request' | 'response';

/**
 * JSON Schema's `idn-email` (RFC 6531), which ajv-formats leaves out: an address whose local part
 * and domain may be any Unicode, without spaces, quotes or the characters an address separates on,
 * and a domain of at least two labels.
 */
const IDN_EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\].]+(\.[^\s@"(),:;<>[\\\].]+)+$/u;

/** OpenAPI 3.0 schema keywords that are annotations, not assertions, for ajv. */
const ANNOTATION_KEYWORDS = ['example', 'xml', 'externalDocs', 'discriminator'];

/**
 * An ajv instance that accepts OpenAPI 3.0 schemas: annotation keywords and the spec's own
 * `x-` extensions are known vocabulary (so strict mode still catches typos), `nullable` is
 * understood, and string formats (email, uuid, uri, date-time) are asserted.
 */
export function createAjv(extensionKeywords: Iterable<string>): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat('idn-email', IDN_EMAIL);
  ajv.addVocabulary([...ANNOTATION_KEYWORDS, ...new Set(extensionKeywords)]);
  return ajv;
}

/** Every `x-` key used anywhere in a document: each becomes known vocabulary for ajv. */
export function extensionKeywordsOf(document: unknown): Set<string> {
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      visit(value);
    }
  };
  visit(document);
  return found;
}

/**
 * A copy of `schema` as it applies to one direction: a readOnly property is never required in
 * a request (the server assigns it), a writeOnly property never required in a response.
 */
export function schemaFor(schema: Schema, direction: Direction): Schema {
  const hidden = direction === 'request' ? 'readOnly' : 'writeOnly';
  const copy = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(copy);
    if (!node || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) out[key] = copy(value);
    const properties = out.properties as Record<string, Schema> | undefined;
    if (Array.isArray(out.required) && properties) {
      out.required = out.required.filter((name: string) => properties[name]?.[hidden] !== true);
    }
    return out;
  };
  return copy(schema) as Schema;
}

/** Compiles `schema` for one direction, caching by schema object so each compiles once. */
export class ValidatorCache {
  private readonly cache = new Map<Direction, WeakMap<Schema, ValidateFunction>>([
    ['request', new WeakMap()],
    ['response', new WeakMap()],
  ]);

  constructor(private readonly ajv: Ajv) {}

  get(schema: Schema, direction: Direction): ValidateFunction {
    const byDirection = this.cache.get(direction)!;
    const cached = byDirection.get(schema);
    if (cached) return cached;
    const validate = this.ajv.compile(schemaFor(schema, direction));
    byDirection.set(schema, validate);
    return validate;
  }

  /** ajv's own one-line description of the last failure of `validate`. */
  describe(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }
}
