import { API_NAMES, type ApiName } from '../specs/index.ts';
import { amaniProfile } from './apis/amani.ts';
import { haploProfile } from './apis/haplo.ts';
import { hoopProfile } from './apis/hoop.ts';
import type { ApiProfile } from './apis/profile.ts';
import { checksOf } from './checks/index.ts';
import type { Progress } from './drivers/context.ts';

export interface ContractOptions {
  /** The API to check: hoop, amani, haplo, or the name of a profile in `profiles`. */
  api: string;
  /** Profiles of APIs that are not built in (a team's own API), each made fresh per run. */
  profiles?: ReadonlyArray<() => ApiProfile>;
  /** The server; the documented paths (`/api/users` …) are appended to it, its own path kept. */
  baseUrl: string;
  /** `Authorization` value of an admin. */
  auth?: string;
  /** `Authorization` value of an authenticated non-admin. */
  authStandard?: string;
  /** Seed of the generated test data: the same seed makes the same shapes and choices. */
  seed?: number;
  /** Run only these checks (names as `usermock checks` lists them). */
  only?: string[];
  /** Send only safe (GET) requests: for production-like targets. */
  readOnly?: boolean;
  /** Leave out what needs the server to keep state or know its users (stateless mocks such as Prism). */
  stateless?: boolean;
  /** Report a failure that matches the spec's documented drift as a warning. */
  allowDrift?: boolean;
  /** Fail on facts the spec marks `inferred` too (by default a disagreement on one is a warning). */
  strict?: boolean;
  /**
   * Also send the probes a faulty server would obey destructively (hoop: an admin deactivating or
   * deleting themself, deleting the `admin` group). Off by default: those pairs are not sought.
   */
  allowDestructive?: boolean;
  /** Milliseconds one request may take (15 s by default). */
  timeoutMs?: number;
  /** Retries of a request the infrastructure failed (3 by default). */
  retries?: number;
  /** Sequences the model-based phase generates (`model_agreement`); 0 turns it off. */
  modelRuns?: number;
  /** Told where the run is, for a progress line. */
  onProgress?: (progress: Progress) => void;
  /** Stops the run (Ctrl-C): what it created is still removed. */
  signal?: AbortSignal;
}

/** Options that cannot make a run: the run does not start (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The profile of each built-in API, keyed by the specs' `API_NAMES`: a name without its profile does not compile. */
const PROFILES = { hoop: hoopProfile, amani: amaniProfile, haplo: haploProfile } satisfies Record<ApiName, () => ApiProfile>;
const BUILT_IN: ReadonlyArray<() => ApiProfile> = API_NAMES.map((name) => PROFILES[name]);

/** The names of the APIs there are profiles for: the built-in ones, then the others given. */
export function profileNames(profiles: ReadonlyArray<() => ApiProfile> = []): string[] {
  return [...API_NAMES, ...profiles.map((profile) => profile().api)];
}

/** A fresh profile of an API, built in or among those given; a UsageError when there is none. */
export function profileOf(api: string, profiles: ReadonlyArray<() => ApiProfile> = []): ApiProfile {
  for (const make of [...BUILT_IN, ...profiles]) {
    const profile = make();
    if (profile.api === api) return profile;
  }
  throw new UsageError(`unknown API ${JSON.stringify(api)} (expected ${profileNames(profiles).join(', ')})`);
}

/** Every check of an API (or of all of them), as `--only` names them. */
export function checkNames(api?: string, profiles: ReadonlyArray<() => ApiProfile> = []): string[] {
  const apis = api ? [api] : profileNames(profiles);
  return [...new Set(apis.flatMap((name) => checksOf(profileOf(name, profiles)).map((check) => check.name)))];
}

/** Throws a UsageError for options no run can be made of; `labels` name the credentials as the caller knows them. */
export function validateOptions(
  options: ContractOptions,
  labels = { auth: 'auth', authStandard: 'authStandard', baseUrl: 'baseUrl' },
): void {
  if (!options || typeof options !== 'object') throw new UsageError('expected an options object');
  profileOf(String(options.api), options.profiles);
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new UsageError(`${labels.baseUrl} ${JSON.stringify(options.baseUrl)} is not a URL`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`${labels.baseUrl} must be an http or https URL, got ${url.protocol}`);
  if (url.search || url.hash) throw new UsageError(`${labels.baseUrl} must not carry a query or fragment`);
  for (const [key, label] of [
    ['auth', labels.auth],
    ['authStandard', labels.authStandard],
  ] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new UsageError(`${label} must be an Authorization header value such as "Bearer <token>", got ${JSON.stringify(value)}`);
    }
  }
  if (options.only !== undefined) {
    const known = checkNames(options.api, options.profiles);
    if (!Array.isArray(options.only) || options.only.length === 0) throw new UsageError(`no check selected; checks: ${known.join(', ')}`);
    const unknown = options.only.filter((name) => !known.includes(name));
    if (unknown.length) throw new UsageError(`unknown check(s) ${unknown.join(', ')} for ${options.api}; checks: ${known.join(', ')}`);
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new UsageError(`seed must be a whole number, got ${options.seed}`);
  if (options.modelRuns !== undefined && !(Number.isSafeInteger(options.modelRuns) && options.modelRuns >= 0))
    throw new UsageError(`the number of model runs must be a whole number of at least 0, got ${options.modelRuns}`);
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0))
    throw new UsageError(`the timeout must be positive, got ${options.timeoutMs}`);
}
