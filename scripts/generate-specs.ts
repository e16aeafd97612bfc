// Derives from each spec what the code imports: specs/generated/<api>.json (validated by
// swagger-parser, every $ref resolved) and specs/generated/<api>.types.ts (openapi-typescript).
import { mkdir, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadBuiltInDocument, readSpec } from '../specs/loader.ts';
import { API_NAMES, isApiName, type ApiName } from '../specs/spec.ts';

const generated = new URL('../specs/generated/', import.meta.url);

export async function generateSpecs(apis: readonly ApiName[] = API_NAMES): Promise<void> {
  await mkdir(generated, { recursive: true });
  await Promise.all(
    apis.map(async (api) => {
      const document = await loadBuiltInDocument(api);
      await writeFile(new URL(`${api}.json`, generated), JSON.stringify(document));
      const types = astToString(await openapiTS((await readSpec(api)) as never));
      await writeFile(new URL(`${api}.types.ts`, generated), `// Generated from specs/${api}.openapi.yaml by npm run build.\n${types}`);
    }),
  );
}

// `tsx scripts/generate-specs.ts [api…]`: all specs, or the ones named.
if (import.meta.url === `file://${process.argv[1]}`) await generateSpecs(process.argv.slice(2).filter(isApiName));
