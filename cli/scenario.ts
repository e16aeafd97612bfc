// `--scenario <file or name>`: a scenario file (JSON or YAML), or one shipped in the package's
// scenarios/ by name (`empty`, `admins-only`, `large`, `errors`).
import { readdir, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ApiModule } from '../mocks/core/api.ts';
import { checkScenario, type Scenario } from '../mocks/core/scenario.ts';

/** The package's scenarios/: beside dist/ when installed, beside cli/ in the repository. */
const SHIPPED = fileURLToPath(new URL('../scenarios/', import.meta.url));

async function shippedScenarios(): Promise<string[]> {
  const files = await readdir(SHIPPED).catch(() => []);
  return files.filter((file) => file.endsWith('.json') && !file.endsWith('.schema.json')).map((file) => file.slice(0, -'.json'.length));
}

/** The scenario a `--scenario` value names, checked against the APIs; an error saying what is wrong otherwise. */
export async function loadScenario(nameOrFile: string, apis: readonly ApiModule[]): Promise<Scenario> {
  const shipped = await shippedScenarios();
  const path = shipped.includes(nameOrFile) ? resolve(SHIPPED, `${nameOrFile}.json`) : resolve(nameOrFile);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'ENOENT'
        ? `--scenario ${nameOrFile}: no such file, and no scenario of that name (shipped: ${shipped.join(', ')})`
        : `--scenario ${nameOrFile}: ${error.message}`,
    );
  });
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path)) ? parse(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`--scenario ${nameOrFile}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  try {
    return checkScenario(value, apis);
  } catch (error) {
    throw new Error(`--scenario ${nameOrFile}: ${(error as Error).message}`);
  }
}
