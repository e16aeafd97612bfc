#!/usr/bin/env node
// The `usermock` command. Each subcommand loads its own modules, so `serve` starts without the checker.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';

/** The package's version: package.json is one folder up from both cli/index.ts and the bundle dist/cli.js. */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const integer = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
};

const positive = (value: string): number => {
  const number = integer(value);
  if (number < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return number;
};

const seconds = (value: string): number => {
  const number = Number(value);
  if (!(number > 0)) throw new InvalidArgumentError('expected a positive number of seconds');
  return number;
};

/** A repeatable option's values, in order. */
const repeated = (value: string, all: string[]): string[] => [...all, value];

const program = new Command('usermock')
  .description('Specs, a stateful mock and a conformance suite for the hoop.dev, Amani and Haplo user APIs')
  .version(version, '-V, --version', 'print the version of usermock')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('serve')
  .description('serve the stateful mock of all three APIs (and those --apis lists) on one origin')
  .option('--port <port>', 'port to listen on', integer, 4010)
  .option('--host <host>', 'address to bind (use 0.0.0.0 to expose it beyond this machine)', '127.0.0.1')
  .option('--seed <n>', 'faker seed: the same seed gives the same data', integer)
  .option('--users <n>', 'users seeded per API', integer)
  .option('--state-file <file>', 'load state from this file and make every write durable in it')
  .option('--latency <ms|min-max>', 'delay every answer by a fixed or random time')
  .option('--apis <file>', 'also serve the APIs this module lists (its default export: [{ mock, profile }])')
  .option('--max-sessions <n>', 'named sessions held at once; a new one past it is refused with 429', positive, 1000)
  .option('--max-users <n>', 'users (and groups) per API per session; a create past it is refused with 429', positive, 100000)
  .option('--max-overrides <n>', 'overrides per session; one more is refused with 429', positive, 100)
  .option('--scenario <file|name>', 'start from a scenario: a JSON/YAML file, or a shipped one (empty, admins-only, large, errors)')
  .option('--quiet', 'do not log requests that break the spec')
  .option('--store <redis-url>', 'keep the state in Redis (redis://HOST:PORT[/DB]), shared by every replica serving with it')
  .option('--workers <n>', 'worker processes on the port (node:cluster); more than 1 needs --store', positive, 1)
  .option(
    '--allowed-hosts <host>',
    'also answer the control endpoints and the dashboard when reached as this Host name (repeatable; .example.com for it and its subdomains; all for any)',
    repeated,
    [],
  )
  .option('--cors-origin <origin>', 'also let pages from this origin call the control endpoints (repeatable)', repeated, [])
  .addOption(
    new Option('--control-token <token>', 'require this token on the control endpoints (the dashboard link printed carries it)').env(
      'USERMOCK_CONTROL_TOKEN',
    ),
  )
  .action(async (options) => (await import('./serve.ts')).serve(options));

program
  .command('check')
  .description(
    'check that a live server honours an API spec; exit 0 conformant, 1 contract failures, 2 usage or credential error, 3 infrastructure error',
  )
  .argument('<api>', 'hoop, amani, haplo, or an API the --apis file lists')
  .requiredOption('--base-url <url>', 'the server, e.g. http://127.0.0.1:4010 (documented paths are appended to its path)')
  .option('--auth <authorization>', 'Authorization header value of an admin (default: $USERMOCK_AUTH)')
  .option('--auth-standard <authorization>', 'Authorization header value of a non-admin (default: $USERMOCK_AUTH_STANDARD)')
  .option('--seed <n>', 'seed of the generated test data: the same seed sends the same shapes and choices', integer)
  .option('--only <checks>', 'comma-separated check names to run (usermock checks lists them)')
  .option('--read-only', 'send only safe (GET) requests, for production-like targets')
  .option('--stateless', 'leave out what needs the server to keep state (for stateless mocks such as Prism)')
  .option('--allow-drift', "report a failure that matches the spec's documented drift as a warning")
  .option('--model-runs <n>', 'generated sequences the model-based phase runs (0 turns it off; default 200)', integer)
  .option('--strict', 'fail on facts the spec marks inferred too (by default a disagreement on one is a warning)')
  .option(
    '--allow-destructive',
    "also send the probes a faulty server would obey destructively (an admin deleting themself, deleting the 'admin' group)",
  )
  .option('--timeout <seconds>', 'how long one request may take', seconds, 15)
  .option(
    '--report <format=file>',
    'also write junit=<file>, json=<file> or coverage=<file> (repeatable; relative to the working directory)',
    (value: string, all: string[]) => [...all, value],
    [],
  )
  .option('--apis <file>', 'a module listing APIs that are not built in (its default export: [{ mock, profile }])')
  .action(async (api, options) => (await import('./check.ts')).check(api, options));

program
  .command('prism')
  .description("run Prism's stateless mock of one API's spec (its examples, or generated data with --dynamic)")
  .argument('<api>', 'hoop, amani or haplo')
  .option('--port <port>', 'port to listen on', integer, 4010)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--dynamic', 'generate answers from the schemas instead of the examples')
  .option('--seed <seed>', 'seed for --dynamic, for repeatable answers')
  .action(async (api, options) => (await import('./prism.ts')).prismMock(api, options));

program
  .command('proxy')
  .description("run Prism's validating proxy for one API in front of a live server")
  .argument('<api>', 'hoop, amani or haplo')
  .requiredOption('--upstream <url>', 'the live server to forward to')
  .option('--port <port>', 'port to listen on', integer, 4010)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--errors', 'answer a request or response that violates the spec with an error instead of only logging it')
  .action(async (api, options) => (await import('./prism.ts')).prismProxy(api, options));

program
  .command('types')
  .description(
    "write the TypeScript types of an API's operations (ids, parameters, bodies) from its spec, for defineApiModule and loadSpec",
  )
  .argument('<spec>', 'the OpenAPI file (YAML or JSON)')
  .option('--out <file>', 'write them to this file instead of printing them')
  .action(async (spec: string, options) => (await import('./types.ts')).writeOperationTypes(spec, options));

program
  .command('checks')
  .description('list the conformance checks and what each means')
  .argument('[api]', 'only the checks of hoop, amani, haplo, or an API the --apis file lists')
  .option('--apis <file>', 'a module listing APIs that are not built in (its default export: [{ mock, profile }])')
  .action(async (api: string | undefined, options) => (await import('./checks.ts')).listChecks(api, options));

await program.parseAsync();
