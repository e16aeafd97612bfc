// `--scenario <file or name>`: a scenario file (JSON or YAML), or one shipped in the package's
// scenarios/ by name (`empty`, `admins-only`, `large`, `errors`).
import { readdir, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument } from 'yaml';
import type { ApiModule } from '../mocks/core/api.ts';
import { checkScenario, formatPath, ScenarioError, type Scenario, type ScenarioPath } from '../mocks/core/scenario.ts';

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
    if (!(error instanceof ScenarioError)) throw new Error(`--scenario ${nameOrFile}: ${(error as Error).message}`);
    // As a compiler lists errors: every problem at once, each as file:line:column: JSON path: what is wrong.
    const where = locator(text);
    const file = shipped.includes(nameOrFile) ? path : nameOrFile;
    const lines = error.details.map((problem) => `  ${file}:${where(problem.path)}: ${formatPath(problem.path)}: ${problem.message}`);
    throw new Error(
      `--scenario ${nameOrFile}: the scenario is not valid (${lines.length} ${lines.length === 1 ? 'problem' : 'problems'}):\n${lines.join('\n')}`,
    );
  }
}

/** `line:column` (from 1) of the value at a path in a scenario's text (JSON is YAML too), or of the nearest enclosing one. */
function locator(text: string): (path: ScenarioPath) => string {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  return (path) => {
    let node: unknown = document.contents;
    let offset = (node as { range?: [number] } | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment));
        if (!pair) break;
        offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        offset = (node as { range?: [number] }).range?.[0] ?? offset;
      } else break;
    }
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
}
