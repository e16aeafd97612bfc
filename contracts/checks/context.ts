import type { ApiSpec } from '../../specs/index.ts';
import type { ApiProfile, Call, CreatedUser } from '../apis/profile.ts';
import type { DataFactory } from '../data.ts';
import type { Client, Exchange } from '../exchange.ts';

/** Something a check found wrong in one exchange (or in the run, without one). */
export interface Finding {
  message: string;
  exchange?: Exchange;
}

/** What a scenario check ends with: its findings, or why it could not run here. */
export interface Outcome {
  findings: Finding[];
  skipped?: string;
}

/** Everything a scenario check works with; users it creates are shared by name within a run. */
export class RunContext {
  private readonly users = new Map<string, Promise<CreatedUser | Finding>>();

  constructor(
    readonly client: Client,
    readonly profile: ApiProfile,
    readonly spec: ApiSpec,
    readonly data: DataFactory,
  ) {}

  send(call: Call): Promise<Exchange> {
    return this.client.send(call.operationId, call);
  }

  /** A user created for one purpose (`fixture`), made once per run; a Finding if it could not be created. */
  user(purpose: string): Promise<CreatedUser | Finding> {
    let user = this.users.get(purpose);
    if (!user) {
      user = this.createUser(this.profile.newUser(this.data));
      this.users.set(purpose, user);
    }
    return user;
  }

  /** Creates a user from a body: the created user, or a Finding saying why not. */
  async createUser(body: Record<string, unknown>): Promise<CreatedUser | Finding> {
    const exchange = await this.send(this.profile.create(body));
    const created = isSuccess(exchange) ? this.profile.created(exchange, body) : undefined;
    return created ?? { message: `expected a documented 2xx when creating a valid user, got ${exchange.response.status}`, exchange };
  }
}

export const isSuccess = (exchange: Exchange): boolean => exchange.response.status >= 200 && exchange.response.status < 300;

/** The outcome of a step that had to succeed: nothing when it did, a finding on it when not. */
export function unlessSuccess(exchange: Exchange, expected: string): Outcome | undefined {
  return isSuccess(exchange) ? undefined : expectation(false, `expected ${expected}, got ${exchange.response.status}`, exchange);
}

/** An outcome with one finding unless `met`. */
export function expectation(met: boolean, message: string, exchange: Exchange): Outcome {
  return { findings: met ? [] : [{ message, exchange }] };
}

export function isFinding(value: CreatedUser | Finding): value is Finding {
  return 'message' in value;
}

/** The fields of `expected` that `actual` shows differently, as findings on `exchange`. */
export function differences(
  expected: Record<string, unknown>,
  actual: Record<string, unknown> | undefined,
  exchange: Exchange,
  what: string,
): Finding[] {
  if (!actual) return [{ message: `expected ${what} to show the user, got no user object`, exchange }];
  return Object.entries(expected)
    .filter(([, value]) => value !== undefined)
    .filter(([field, value]) => JSON.stringify(actual[field]) !== JSON.stringify(value))
    .map(([field, value]) => ({
      message: `expected ${what} to show ${field} = ${JSON.stringify(value)}, got ${JSON.stringify(actual[field])}`,
      exchange,
    }));
}
