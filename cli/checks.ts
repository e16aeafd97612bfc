// `usermock checks [api]`: every check with its kind and meaning, and the APIs it applies to.
import { checksOf } from '../contracts/checks/index.ts';
import { profileNames, profileOf } from '../contracts/options.ts';
import { loadPlugins } from './plugins.ts';

export async function listChecks(api: string | undefined, options: { apis?: string }): Promise<void> {
  let apis: string[];
  let profiles;
  try {
    profiles = (await loadPlugins(options.apis)).flatMap((plugin) => plugin.profile ?? []);
    apis = api === undefined ? profileNames(profiles) : [profileOf(api, profiles).api];
  } catch (error) {
    console.error(`usermock checks: ${(error as Error).message}`);
    process.exit(2);
  }
  const rows = new Map<string, { kind: string; meaning: string; apis: string[] }>();
  for (const name of apis) {
    for (const check of checksOf(profileOf(name, profiles))) {
      const row = rows.get(check.name) ?? { kind: check.kind, meaning: check.meaning, apis: [] };
      row.apis.push(name);
      rows.set(check.name, row);
    }
  }
  for (const [name, { kind, meaning, apis: of }] of rows) {
    const scope = of.length === apis.length ? '' : `  (${of.join(', ')} only)`;
    console.log(`${name.padEnd(28)} ${kind.padEnd(11)} ${meaning}${scope}`);
  }
}
