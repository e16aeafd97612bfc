import amani from './generated/amani.json' with { type: 'json' };
import haplo from './generated/haplo.json' with { type: 'json' };
import hoop from './generated/hoop.json' with { type: 'json' };
import type { operations as AmaniOperations } from './generated/amani.types.ts';
import type { operations as HaploOperations } from './generated/haplo.types.ts';
import type { operations as HoopOperations } from './generated/hoop.types.ts';
import { ApiSpec, type ApiName, type OpenApiDocument } from './spec.ts';

export * from './spec.ts';
export { loadSpec, type LoadSpecOptions } from './load.ts';

/** The operation ids of each built-in API, from the types `npm run build` generates from its spec. */
export interface BuiltInOperationIds {
  hoop: Extract<keyof HoopOperations, string>;
  amani: Extract<keyof AmaniOperations, string>;
  haplo: Extract<keyof HaploOperations, string>;
}

/**
 * The dereferenced documents, generated from `specs/*.openapi.yaml` by `npm run build`
 * (validated there, so nothing parses or resolves YAML at run time).
 */
const documents = { hoop, amani, haplo } as unknown as Record<ApiName, OpenApiDocument>;

const specs = new Map<ApiName, ApiSpec>();

/**
 * The spec of one API, built on first use and shared by the mock and the contract suite. Its
 * operation ids are typed (`apiSpec('hoop').call('nope')` does not compile); its bodies are not, as
 * the contract suite sends bodies the schemas forbid on purpose.
 */
export function apiSpec<N extends ApiName>(name: N): ApiSpec<BuiltInOperationIds[N]> {
  let spec = specs.get(name);
  if (!spec) {
    spec = new ApiSpec(name, documents[name]);
    specs.set(name, spec);
  }
  return spec;
}
