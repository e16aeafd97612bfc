// A well-formed request for every operation of an API, made by the contract suite's own profiles,
// as the starting point that hostile and generated requests are derived from.
import { amaniProfile } from '../../../contracts/apis/amani.ts';
import { haploProfile } from '../../../contracts/apis/haplo.ts';
import { hoopProfile } from '../../../contracts/apis/hoop.ts';
import type { ApiProfile, Call, CreatedUser } from '../../../contracts/apis/profile.ts';
import { DataFactory } from '../../../contracts/data.ts';
import type { Exchange } from '../../../contracts/exchange.ts';
import { SESSION_HEADER, type Credentials, type Mock, type MockRequest } from '../../../mocks/index.ts';
import { apiSpec, type ApiName } from '../../../specs/index.ts';

/** The contract suite's profile of each API: how to create, read and update its users. */
export const PROFILES: Record<ApiName, () => ApiProfile> = { hoop: hoopProfile, amani: amaniProfile, haplo: haploProfile };

/** The request a call describes, with its credential resolved and its body serialised, in a session if named. */
export function requestOf(call: Call, credentials: Credentials, session?: string): MockRequest {
  const headers: Record<string, string> = session === undefined ? {} : { [SESSION_HEADER]: session };
  const authorization = typeof call.auth === 'object' ? call.auth.header : call.auth === 'none' ? undefined : credentials[call.auth];
  if (authorization !== undefined) headers.authorization = authorization;
  const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method: call.method, path: call.path, query: new URLSearchParams(call.query), headers, body };
}

/** A read each API answers with 200 whatever was done before it: the mock is still serving. */
export const HEALTH_CHECK: Record<ApiName, string> = { hoop: 'listUsers', amani: 'listGroups', haplo: 'getGroup' };

/** Where requests go: a Mock itself, or a stand-in that sends them over HTTP. */
export type Target = Pick<Mock, 'credentials' | 'handle'>;

/**
 * One well-formed call per operation of the API, on a user created for the purpose in a session of
 * the target (the default one without a name; make them again after a reset).
 */
export async function wellFormedCalls(api: ApiName, via: Target, session?: string): Promise<Map<string, Call>> {
  const profile = PROFILES[api]();
  const data = new DataFactory(1);
  const user = await createUser(profile, via, data, session);
  const calls = new Map<string, Call>();
  for (const { id } of apiSpec(api).operations) {
    const target = profile.bodyTargets(user, data).find((candidate) => candidate.operationId === id);
    const call = profile.sample(id, user, data) ?? target?.call({ body: target.valid(false) });
    if (!call) throw new Error(`the ${api} profile makes no request for ${id}`);
    calls.set(id, call);
  }
  return calls;
}

async function createUser(profile: ApiProfile, via: Target, data: DataFactory, session?: string): Promise<CreatedUser> {
  const body = profile.newUser(data);
  const call = profile.create(body);
  const response = await via.handle(requestOf(call, via.credentials(session)[profile.api], session));
  const text = response.body ?? '';
  const exchange: Exchange = {
    operationId: call.operationId,
    request: { method: call.method, url: call.path, headers: {}, auth: call.auth },
    response: { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined },
  };
  const user = profile.created(exchange, body);
  if (!user) throw new Error(`creating a ${profile.api} user failed: ${response.status} ${text}`);
  return user;
}
