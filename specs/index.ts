import amani from './generated/amani.json' with { type: 'json' };
import haplo from './generated/haplo.json' with { type: 'json' };
import hoop from './generated/hoop.json' with { type: 'json' };
import { ApiSpec, type ApiName, type OpenApiDocument } from './spec.ts';

export * from './spec.ts';

/**
 * The dereferenced documents, generated from `specs/*.openapi.yaml` by `npm run build`
 * (validated there, so nothing parses or resolves YAML at run time).
 */
const documents = { hoop, amani, haplo } as unknown as Record<ApiName, OpenApiDocument>;

const specs = new Map<ApiName, ApiSpec>();

/** The spec of one API, built on first use and shared by the mock and the contract suite. */
export function apiSpec(name: ApiName): ApiSpec {
  let spec = specs.get(name);
  if (!spec) {
    spec = new ApiSpec(name, documents[name]);
    specs.set(name, spec);
  }
  return spec;
}
