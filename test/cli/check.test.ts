import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_NAMES } from '../../specs/index.ts';
import { run, serve, type Served } from '../helpers/cli.ts';

let served: Served;
beforeAll(async () => {
  served = await serve(['--users', '10']);
});
afterAll(() => served.stop());

describe('usermock check', () => {
  it.each(API_NAMES)('exits 0 against usermock serve for %s, with JUnit and JSON reports', async (api) => {
    const folder = await mkdtemp(join(tmpdir(), 'usermock-check-'));
    const result = await run([
      'check',
      api,
      '--base-url',
      served.url,
      '--seed',
      '5',
      '--report',
      `junit=${folder}/junit.xml`,
      '--report',
      `json=${folder}/report.json`,
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+passed/);
    const junit = await readFile(join(folder, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuites');
    expect(junit).toContain('negative_data_rejection');
    const report = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8'));
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThan(8);
  });

  it('exits 1 when the server does not conform, naming the check and a curl command', async () => {
    const liar = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
      const result = await run([
        'check',
        'hoop',
        '--base-url',
        url,
        '--auth',
        'Bearer x',
        '--only',
        'auth_required,status_code_conformance',
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain('[auth_required] expected a documented 401 or 403 without credentials, got 200');
      expect(result.stdout + result.stderr).toContain('reproduce: curl -i -X GET');
      expect(result.stdout).toMatch(/auth_required\s+failed\s+\d+ failure\(s\)/);
    } finally {
      liar.close();
    }
  });

  it('runs only safe requests with --read-only', async () => {
    const result = await run([
      'check',
      'hoop',
      '--base-url',
      served.url,
      '--read-only',
      '--report',
      `json=${await mkdtemp(join(tmpdir(), 'ro-'))}/r.json`,
    ]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+skipped\s+read-only run/);
    const journal = (await (await fetch(`${served.url}/__usermock/requests`)).json()) as Array<{ method: string }>;
    expect(journal.length).toBeGreaterThan(0);
  });

  it.each([
    [['check', 'nope', '--base-url', 'http://127.0.0.1:1'], 'unknown API'],
    [['check', 'hoop', '--base-url', 'not a url'], 'is not a URL'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1'], 'cannot reach'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1', '--only', 'made_up'], 'unknown check'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1', '--report', 'xml=x'], '--report takes'],
    [['check', 'hoop'], "required option '--base-url"],
  ])('exits 2 for a usage error or an unreachable server: %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
