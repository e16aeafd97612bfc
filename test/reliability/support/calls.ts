// A well-formed request for every operation of an API, made by the contract suite's own profiles,
// as the starting point that hostile and generated requests are derived from.
import type { ApiProfile, CreatedUser } from '../../../contracts/apis/profile.ts';
import { DataFactory } from '../../../contracts/data.ts';
import { receivedResponse, type Call, type Exchange } from '../../../contracts/exchange.ts';
import { profileOf } from '../../../contracts/options.ts';
import { SESSION_HEADER, type Credentials, type Mock, type MockRequest } from '../../../mocks/index.ts';
import { apiSpec, type ApiName } from '../../../specs/index.ts';

/** The request a call describes, with its credential resolved and its body serialised, in a session if named. */
export function requestOf(call: Call, credentials: Credentials, session?: string): MockRequest {
  const headers: Record<string, string> = session === undefined ? {} : { [SESSION_HEADER]: session };
  const auth = call.auth;
  const authorization = typeof auth === 'object' ? auth.header : auth === 'none' ? undefined : credentials[auth];
  if (authorization !== undefined) headers.authorization = authorization;
  const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';
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
  const profile = profileOf(api);
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
    id: 1,
    operationId: call.operationId,
    call,
    request: { method: call.method, url: call.path, headers: {}, auth: call.auth },
    response: receivedResponse(response.status, response.headers, text),
    intent: { purpose: 'creating a user for the test' },
  };
  const created = response.status < 300 ? profile.created(exchange) : undefined;
  if (!created) throw new Error(`creating a ${profile.api} user failed: ${response.status} ${text}`);
  return { key: created.key, sent: body, shows: profile.shows(body).read, history: [exchange] };
}
