import type { ApiSpec } from '../../specs/index.ts';
import type { ApiProfile, CreatedUser } from '../apis/profile.ts';
import type { DataFactory } from '../data.ts';
import { isSuccess, type Call, type Exchange, type Intent } from '../exchange.ts';
import type { Transport } from '../transport.ts';
import { CHECK, type CheckName } from '../checks/names.ts';

/** What a run may do: only safe requests, nothing that needs the server to keep state, destructive probes. */
export interface RunMode {
  readOnly: boolean;
  stateless: boolean;
  /** Probes a faulty server would obey destructively are sent too (`--allow-destructive`). */
  destructive: boolean;
}

/** Where a run is, for a progress line. */
export interface Progress {
  phase: string;
  requests: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Everything a driver works with: sending calls with their intent, the users the run created
 * (shared by purpose), the checks a failed precondition keeps from judging, and what the clean-up
 * must undo. Drivers only send and record; the checks judge afterwards.
 */
export class RunContext {
  /** Checks a driver could not feed, with why (a failed precondition, nothing to do on this API). */
  readonly blocked = new Map<CheckName, string>();
  /** Every user the run created and has not removed. */
  readonly users: CreatedUser[] = [];
  /** Calls the clean-up sends besides undoing creates (restoring a changed setting …). */
  readonly undo: Call[] = [];
  /** What the run left out or could not verify, in words, for the report. */
  readonly notes: string[] = [];
  /** Documented (operation, status) pairs deliberately not sought (`"deleteUser 422"`), with why. */
  readonly notSought = new Map<string, string>();
  private readonly byPurpose = new Map<string, Promise<CreatedUser | undefined>>();
  private creationFailed = false;
  private phase = 'starting';

  constructor(
    readonly transport: Transport,
    readonly profile: ApiProfile,
    readonly spec: ApiSpec,
    readonly data: DataFactory,
    readonly mode: RunMode,
    /** Whether the run judges a check, so that a driver sends only the traffic that is judged. */
    readonly selects: (check: CheckName) => boolean = () => true,
    private readonly onProgress: (progress: Progress) => void = () => {},
  ) {}

  /** Whether the run may send a request with this method. */
  allows(method: string): boolean {
    return !this.mode.readOnly || SAFE_METHODS.has(method);
  }

  startPhase(phase: string): void {
    this.phase = phase;
    this.onProgress({ phase, requests: this.transport.exchanges.length });
  }

  async send(call: Call, intent: Intent): Promise<Exchange> {
    if (!this.allows(call.method)) throw new Error(`a read-only run cannot send ${call.method} ${call.path}`);
    const exchange = await this.transport.send(this.withMediaType(call), intent);
    this.onProgress({ phase: this.phase, requests: this.transport.exchanges.length });
    return exchange;
  }

  /**
   * A body goes as the media type the spec documents for the operation (`application/scim+json` …)
   * unless the call names one: a profile's calls need not be made by `spec.call`.
   */
  private withMediaType(call: Call): Call {
    if (call.contentType !== undefined || (call.body === undefined && call.raw === undefined)) return call;
    const documented = this.spec.operations.some((operation) => operation.id === call.operationId)
      ? this.spec.requestMediaType(call.operationId)
      : undefined;
    return documented === undefined ? call : { ...call, contentType: documented };
  }

  /** Keeps a check from judging, with why; the first reason given stays. */
  block(checks: CheckName | CheckName[], reason: string): void {
    for (const check of [checks].flat()) if (!this.blocked.has(check)) this.blocked.set(check, reason);
  }

  /** A user created for one purpose, once per run; undefined (reported once) when the server would not create one. */
  user(purpose: string): Promise<CreatedUser | undefined> {
    let user = this.byPurpose.get(purpose);
    if (!user) {
      user = this.createUser(this.profile.newUser(this.data));
      this.byPurpose.set(purpose, user);
    }
    return user;
  }

  /**
   * Creates a user, judged by `create_read_back`: the answer must be a documented 2xx showing what
   * was sent. After one failed create the run creates no more (the failure is reported once), and
   * `create_read_back` has nothing more to judge.
   */
  async createUser(body: Record<string, unknown>, purpose = 'creating a user', path?: string): Promise<CreatedUser | undefined> {
    if (this.creationFailed) return undefined;
    const call = this.profile.create(body);
    const exchange = await this.send(path ? { ...call, path } : call, {
      purpose,
      check: CHECK.create_read_back,
      expect: { status: 'success', shows: this.profile.shows(body).answer },
    });
    const created = isSuccess(exchange) ? this.profile.created(exchange) : undefined;
    if (!created) {
      this.creationFailed = true;
      this.block(CHECK.create_read_back, this.noUserReason);
      return undefined;
    }
    exchange.intent.captures = created.captures;
    const user: CreatedUser = { key: created.key, sent: body, shows: this.profile.shows(body).read, history: [exchange] };
    this.users.push(user);
    return user;
  }

  /** Why checks that need a user cannot run, once creating one failed. */
  get noUserReason(): string {
    return 'precondition failed: the server did not create a user (see the failure of that create)';
  }
}
