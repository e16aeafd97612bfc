// `--apis <file>`: APIs that are not built in. The file's default export is the one list a new API
// is registered in: each entry its mock (served by `usermock serve`) and its contract profile
// (checked by `usermock check`), both carrying the API's spec.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiProfile } from '../contracts/apis/profile.ts';
import type { ApiModule } from '../mocks/core/api.ts';

/** One API a `--apis` file adds. */
export interface ApiPlugin {
  mock?: ApiModule;
  profile?: () => ApiProfile;
}

/** A `--apis` file that cannot be used (exit 2). */
export class PluginError extends Error {}

/** The APIs a `--apis` file lists (none without one). */
export async function loadPlugins(file: string | undefined): Promise<ApiPlugin[]> {
  if (file === undefined) return [];
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new PluginError(
        `--apis ${file}: Node loads no TypeScript by itself; compile it to .js, or run with NODE_OPTIONS="--import tsx"`,
      );
    }
    throw new PluginError(`--apis ${file}: ${message.split('\n')[0]}`);
  }
  const list = loaded.default;
  if (!Array.isArray(list))
    throw new PluginError(`--apis ${file}: its default export must be a list of { mock, profile }, got ${typeOf(list)}`);
  list.forEach((entry: unknown, i) => {
    const where = `--apis ${file}: entry ${i}`;
    if (typeof entry !== 'object' || entry === null)
      throw new PluginError(`${where} must be an object { mock, profile }, got ${typeOf(entry)}`);
    const { mock, profile } = entry as Record<string, unknown>;
    if (mock === undefined && profile === undefined) throw new PluginError(`${where} has neither a mock nor a profile`);
    if (mock !== undefined && !isModule(mock))
      throw new PluginError(`${where}: mock must be an API module (name, spec, owns, handle, gate …)`);
    if (profile !== undefined && typeof profile !== 'function')
      throw new PluginError(`${where}: profile must be a function that makes the profile`);
  });
  return list as ApiPlugin[];
}

function isModule(value: unknown): value is ApiModule {
  if (typeof value !== 'object' || value === null) return false;
  const module = value as Record<string, unknown>;
  return (
    typeof module.name === 'string' &&
    typeof module.spec === 'object' &&
    ['owns', 'seed', 'restore', 'credentials', 'route', 'handle', 'banner'].every((key) => typeof module[key] === 'function') &&
    typeof module.gate === 'object'
  );
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);
