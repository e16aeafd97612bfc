// `usermock types <spec>`: the TypeScript types of an API's operations — ids, parameters, bodies
// and answers, by openapi-typescript, as the built-in APIs get theirs — for `defineApiModule<operations>`
// and `loadSpec<operations>`. The same step as `npm run build` runs for specs/*.openapi.yaml.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The types of a spec's operations as a module's text, saying where it came from. */
export async function operationTypes(spec: string): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('openapi-typescript is not installed; it is an optional peer dependency: npm install --save-dev openapi-typescript@^7');
  });
  let types: string;
  try {
    types = astToString(await openapiTS(pathToFileURL(resolve(spec))));
  } catch (error) {
    throw new Error(`${spec}: ${(error as Error).message}`, { cause: error });
  }
  return (
    `// Generated from ${spec} by \`usermock types\`: run it again when the spec changes.\n${types}\n` +
    `/** The spec's operation ids. */\nexport type OperationId = keyof operations;\n`
  );
}

/** Writes the types of a spec's operations to `out`, or prints them. Exit 2 for a spec that cannot be read. */
export async function writeOperationTypes(spec: string, options: { out?: string }): Promise<void> {
  let text: string;
  try {
    text = await operationTypes(spec);
  } catch (error) {
    console.error(`usermock types: ${(error as Error).message.split('\n')[0]}`);
    process.exit(2);
  }
  if (options.out === undefined) process.stdout.write(text);
  else await writeFile(options.out, text);
}
