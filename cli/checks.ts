// `usermock checks [api]`: every check with its kind and meaning, and the APIs it applies to.
import { checksOf } from '../contracts/checks/index.ts';
import { profileOf } from '../contracts/options.ts';
import { API_NAMES, isApiName, type ApiName } from '../specs/index.ts';

export function listChecks(api?: string): void {
  if (api !== undefined && !isApiName(api)) {
    console.error(`usermock checks: unknown API "${api}" (expected ${API_NAMES.join(', ')})`);
    process.exit(2);
  }
  const apis: readonly ApiName[] = api ? [api] : API_NAMES;
  const rows = new Map<string, { kind: string; meaning: string; apis: ApiName[] }>();
  for (const name of apis) {
    for (const check of checksOf(profileOf(name))) {
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
