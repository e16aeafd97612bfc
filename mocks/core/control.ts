// The mock's own endpoints under `/__usermock/` — credentials, state, limits, the journal, the
// APIs, records, overrides and reset — each for the caller's session (its x-usermock-session
// header). Who may call them is the transport's business (`mocks/control-plane.ts`).
import type { ApiModule, Credentials } from './api.ts';
import { CONTROL_PREFIX, DEFAULT_SESSION, SESSION_HEADER, type RequestContext } from './context.ts';
import { empty, json, parseJsonBody, text, type MockResponse } from './http.ts';
import type { Journal } from './journal.ts';
import type { LimitsReport } from './limits.ts';
import type { Middleware } from './middlewares.ts';
import { answersList, overrideProblemAmong, type Override, type OverrideRequest, type Overrides } from './overrides.ts';
import { isOverrideRequest, schemaProblems } from './scenario.ts';
import type { Sessions } from './sessions.ts';

/** What the control endpoints act on: the mock's parts and the operations that keep its rules (limits, persistence). */
export interface Controlled {
  apis: readonly ApiModule[];
  journal: Journal;
  sessions: Sessions;
  overrides: Overrides;
  credentials(session: string): Record<string, Credentials>;
  limits(): LimitsReport;
  /** Adds an override, within the limits. */
  addOverride(session: string, request: OverrideRequest): Override;
  /** Puts one session (or every one) back to the seeded state, durably. */
  reset(session: string | undefined): Promise<void>;
}

/** Answers `/__usermock/…` requests; every other request goes on. */
export const controlEndpoints =
  (mock: Controlled): Middleware =>
  (context, next) =>
    context.control ? control(mock, context) : next(context);

async function control(mock: Controlled, { sent, session }: RequestContext): Promise<MockResponse> {
  const named = sent.headers[SESSION_HEADER] ? session : undefined;
  const endpoint = `${sent.method} ${sent.path.slice(CONTROL_PREFIX.length)}`;
  switch (endpoint) {
    case 'GET credentials':
      return json(200, mock.credentials(session));
    case 'GET state':
      return json(200, mock.sessions.snapshot(named));
    case 'GET limits':
      return json(200, mock.limits());
    case 'GET requests':
      return json(200, mock.journal.list(named));
    case 'GET apis':
      return json(200, describeApis(mock));
    case 'GET records':
      return json(200, records(mock, session));
    case 'GET overrides':
      mock.sessions.hold(session);
      return json(200, mock.overrides.list(session));
    case 'POST overrides':
      return addOverride(mock, sent.body, session);
    case 'DELETE overrides':
      mock.sessions.hold(session);
      mock.overrides.clear(session);
      return empty(204);
    case 'POST reset':
      await mock.reset(named);
      if (!named) mock.journal.clear();
      return empty(204);
  }
  const override = /^DELETE overrides\/([^/]+)$/.exec(endpoint);
  if (override) {
    mock.sessions.hold(session);
    if (mock.overrides.remove(session, decodeURIComponent(override[1]!))) return empty(204);
  }
  return json(404, { message: `no control endpoint ${sent.method} ${sent.path}` });
}

/** `POST /__usermock/overrides`: `{ api, operationId, status | empty | delay, times? }`. */
function addOverride(mock: Controlled, body: string | undefined, session: string): MockResponse {
  const parsed = parseJsonBody(body);
  const wanted = parsed.ok ? parsed.value : undefined;
  if (!isOverrideRequest(wanted)) {
    const why = schemaProblems(isOverrideRequest.errors, 'the body').join('; ');
    return text(400, `usermock: an override is a JSON object { api, operationId, status?, empty?, delay?, times? }: ${why}\n`);
  }
  const problem = overrideProblemAmong(mock.apis, wanted);
  return problem ? text(400, `usermock: ${problem}\n`) : json(201, mock.addOverride(session, wanted));
}

/** What the dashboard shows of each API: where it is, how to call it, its operations and what they can be made to answer. */
function describeApis({ apis, sessions }: Controlled) {
  const world = sessions.view(DEFAULT_SESSION);
  return apis.map((api) => ({
    name: api.name,
    mount: api.mount ?? '',
    banner: api.banner(api.mount ?? '', api.credentials(world[api.name]!), world[api.name]!),
    kinds: api.records.map((records) => records.kind),
    operations: api.spec.operations.map((operation) => ({
      id: operation.id,
      method: operation.method,
      path: operation.path,
      statuses: operation.statuses.map(Number).filter(Number.isInteger),
      canBeEmpty: answersList(api.spec, operation),
    })),
  }));
}

/** Each API's records in a session, by kind, as the API shows them. */
function records({ apis, sessions }: Controlled, session: string): Record<string, Record<string, unknown[]>> {
  const world = sessions.view(session);
  return Object.fromEntries(
    apis.map((api) => [api.name, Object.fromEntries(api.records.map((records) => [records.kind, records.rows(world[api.name]!)]))]),
  );
}
