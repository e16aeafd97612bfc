// `defineContractSuite` inside a project's own vitest run: one test per check against a live
// server, and a clear error, at once, for options no run can be made of.
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../contracts/index.ts';
import { defineContractSuite } from '../../contracts/suite.ts';
import { startMock } from '../helpers/server.ts';

const running = await startMock({ users: 5 });
afterAll(() => running.close());

const { admin, standard } = running.mock.credentials().haplo;
defineContractSuite({
  api: 'haplo',
  baseUrl: running.url,
  auth: admin,
  authStandard: standard,
  only: ['create_read_back', 'admin_required', 'path_forms'],
});

describe('defineContractSuite options', () => {
  it.each([
    [{ api: 'hoop', baseUrl: 'not a url', auth: 'Bearer x' }, 'baseUrl "not a url" is not a URL'],
    [{ api: 'nope', baseUrl: 'http://127.0.0.1:1', auth: 'Bearer x' }, 'unknown API "nope"'],
    [{ api: 'hoop', baseUrl: 'http://127.0.0.1:1', auth: '' }, 'auth must be an Authorization header value'],
    [{ api: 'hoop', baseUrl: 'http://127.0.0.1:1', auth: 'Bearer x', only: ['nope'] }, 'unknown check(s) nope'],
  ])('refuses %j at once: %s', (options, message) => {
    expect(() => defineContractSuite(options as never)).toThrow(UsageError);
    expect(() => defineContractSuite(options as never)).toThrow(message);
  });

  it('refuses an unset credential with one clear error instead of a suite of failures', () => {
    expect(() => defineContractSuite({ api: 'hoop', baseUrl: 'http://127.0.0.1:1', auth: process.env.USERMOCK_NOT_SET })).toThrow(
      'defineContractSuite: `auth` is required: the Authorization header value of an admin',
    );
  });
});
