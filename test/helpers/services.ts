// The system services some tests need beyond Node: a program found on PATH, installed from Debian.
// `npm test` must pass with Node alone, so where one is missing the suites that declare it with
// needs() are skipped, and services-reporter.ts names them at the end of the run. Under CI (or
// USERMOCK_REQUIRE_SERVICES=1) they run anyway and fail, so CI never goes green by skipping them:
// the helper that starts a service finds it with servicePath(), whose error says how to install it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestOptions } from 'vitest';

/** Each service by the program looked up on PATH, with the command that installs it. */
const INSTALL = {
  'redis-server': 'apt-get install -y redis-server',
  curl: 'apt-get install -y curl',
};

export type Service = keyof typeof INSTALL;

/** Carried by a suite or test whose service is missing, for services-reporter.ts. */
export interface MissingService {
  service: Service;
  install: string;
  /** The switch that made it a failure rather than a skip (`CI=true`), if one is on. */
  requiredBy?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    missingService?: MissingService;
  }
}

/** Where `program` is on PATH, as `which` finds it; undefined when it is not there. */
export function which(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this dir
    }
  }
  return undefined;
}

/** The service's program, or an error naming it and its install command. */
export function servicePath(service: Service): string {
  const path = which(service);
  if (!path) throw new Error(`${service} is not on PATH; install it: ${INSTALL[service]}`);
  return path;
}

const SWITCHES = ['CI', 'USERMOCK_REQUIRE_SERVICES'];
const switchedOn = (name: string) => !['', '0', 'false'].includes(process.env[name] ?? '');

/**
 * The options of a describe() or it() that needs `service` (with `options` of its own): skipped
 * where the service is missing, unless CI or USERMOCK_REQUIRE_SERVICES asks for every suite to run.
 */
export function needs(service: Service, options: TestOptions = {}): TestOptions {
  if (which(service)) return options;
  const requiredSwitch = SWITCHES.find(switchedOn);
  const requiredBy = requiredSwitch && `${requiredSwitch}=${process.env[requiredSwitch]}`;
  return {
    ...options,
    skip: !requiredBy,
    meta: { ...options.meta, missingService: { service, install: INSTALL[service], requiredBy } },
  };
}
