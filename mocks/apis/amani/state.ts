import type { components } from '../../../specs/generated/amani.types.ts';
import { constantTimeEqual } from '../../core/constant-time.ts';
import { isObject } from '../../core/http.ts';
import { Table } from '../../core/table.ts';
import { now, uuid } from '../../core/entropy.ts';

type Schemas = components['schemas'];

/** A role: a Django permission group. */
export type AmaniRole = Schemas['Role'];

/** A user as the API shows it. */
export type AmaniUserAnswer = Schemas['User'];

/**
 * A stored user: the answer's fields less the derived ones (the company is the state's, the
 * permissions follow from the roles), with role ids and the password. `username` is the email the
 * user was created with; changing the email later keeps it (see the spec).
 */
export type AmaniRecord = Omit<AmaniUserAnswer, 'company' | 'groups' | 'permissions'> & {
  password: string;
  /** Role ids, ascending. */
  groups: number[];
};

export interface AmaniSnapshot {
  company: string;
  /** Signs every token the state issues, so tokens outlive a restart from a snapshot. */
  secret: string;
  roles: AmaniRole[];
  users: AmaniRecord[];
  /** Access tokens of the seeded admin and standard users. */
  credentials: { admin: string; standard: string };
}

type TokenType = 'access' | 'refresh';

/** SimpleJWT's claims, in its order. */
interface Claims {
  token_type: TokenType;
  exp: number;
  iat: number;
  jti: string;
  user_id: string;
}

export type TokenCheck = { ok: true; claims: Claims } | { ok: false; message: string };

/** The vendor's example tokens live one hour (access) and one day (refresh). */
const LIFETIME: Record<TokenType, number> = { access: 60 * 60, refresh: 24 * 60 * 60 };
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** One company account: its roles, its users (by id, email and username) and its signing key. */
export class AmaniState {
  readonly roles = new Map<number, AmaniRole>();
  /**
   * Tokens seen, by their signed part: the digest it must carry and its claims, so that a client
   * sending the same token again (every call) costs a lookup, not a digest. Bounded: emptied when full.
   */
  private readonly signed = new Map<string, { digest: string; claims: unknown }>();
  /** Each user's permissions (records are replaced, never changed, and roles are fixed). */
  private readonly permissions = new WeakMap<AmaniRecord, string[]>();

  private constructor(
    readonly company: string,
    private readonly secret: string,
    readonly credentials: AmaniSnapshot['credentials'],
    readonly users = new Table<string, AmaniRecord, 'email' | 'username'>((user) => user.id, {
      unique: { email: (user) => user.email, username: (user) => user.username },
    }),
  ) {}

  /** A state that starts as this one and changes on its own, sharing its users (this one must not change again). */
  fork(): AmaniState {
    const state = new AmaniState(this.company, this.secret, this.credentials, this.users.fork());
    for (const [id, role] of this.roles) state.roles.set(id, role);
    return state;
  }

  static fromJSON(snapshot: AmaniSnapshot): AmaniState {
    const state = new AmaniState(snapshot.company, snapshot.secret, snapshot.credentials);
    for (const role of snapshot.roles) state.roles.set(role.id, role);
    for (const user of snapshot.users) state.put(user);
    return state;
  }

  toJSON(): AmaniSnapshot {
    return {
      company: this.company,
      secret: this.secret,
      roles: [...this.roles.values()],
      users: [...this.users.values()],
      credentials: this.credentials,
    };
  }

  find(id: string): AmaniRecord | undefined {
    return this.users.get(id);
  }

  findByEmail(email: string): AmaniRecord | undefined {
    return this.users.find('email', normalizeEmail(email));
  }

  /** Login lookup: Django's ModelBackend matches the username exactly. */
  findByUsername(username: string): AmaniRecord | undefined {
    return this.users.find('username', username);
  }

  /** Stores a new or changed user. */
  put(user: AmaniRecord): void {
    this.users.put(user);
  }

  /**
   * Whether a user other than `exceptId` holds this email, as email or as username. Emails compare
   * as Django's `normalize_email` stores them (domain case-insensitive, local part exact, as the
   * database's unique index compares); the username check turns what would be Django's
   * IntegrityError on the username column into the same 400.
   */
  emailTaken(email: string, exceptId?: string): boolean {
    const key = normalizeEmail(email);
    return [this.users.find('email', key), this.users.find('username', key)].some((user) => user !== undefined && user.id !== exceptId);
  }

  rolesOf(user: AmaniRecord): AmaniRole[] {
    return user.groups.flatMap((id) => this.roles.get(id) ?? []);
  }

  /** The union of the user's roles' permissions, sorted. */
  permissionsOf(user: AmaniRecord): string[] {
    let permissions = this.permissions.get(user);
    if (!permissions) {
      permissions = [...new Set(this.rolesOf(user).flatMap((role) => role.permissions))].sort();
      this.permissions.set(user, permissions);
    }
    return [...permissions];
  }

  /** A fresh token for the user, valid for SimpleJWT's lifetime of its type from now. */
  issue(user: AmaniRecord, type: TokenType): string {
    const iat = seconds();
    return signToken(this.secret, {
      token_type: type,
      exp: iat + LIFETIME[type],
      iat,
      jti: uuid().replaceAll('-', ''),
      user_id: user.id,
    });
  }

  /** The digest a token's signed part must carry, and its claims (computed once per signed part). */
  private seen(signed: string, payload: string | undefined): { digest: string; claims: unknown } {
    let seen = this.signed.get(signed);
    if (!seen) {
      if (this.signed.size >= SEEN_TOKENS) this.signed.clear();
      seen = { digest: digest(this.secret, signed), claims: payload === undefined ? undefined : decodeClaims(payload) };
      this.signed.set(signed, seen);
    }
    return seen;
  }

  /** Checks a token as SimpleJWT does: signature and expiry first, then the token type. */
  verify(token: string, type: TokenType): TokenCheck {
    const invalid = { ok: false, message: 'Token is invalid or expired' } as const;
    const [header, payload, signature, ...rest] = token.split('.');
    if (rest.length > 0) return invalid;
    const seen = this.seen(`${header}.${payload}`, payload);
    if (!constantTimeEqual(signature ?? '', seen.digest)) return invalid;
    const claims = seen.claims;
    if (!isObject(claims) || typeof claims.exp !== 'number' || claims.exp <= seconds()) return invalid;
    if (claims.token_type !== type) return { ok: false, message: 'Token has wrong type' };
    return { ok: true, claims: claims as unknown as Claims };
  }
}

/** The most signed parts `AmaniState` keeps the digest and claims of. */
const SEEN_TOKENS = 1_000;

/** Django's `BaseUserManager.normalize_email`: the domain is lower-cased, the local part kept. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

const seconds = () => Math.floor(now() / 1000);

export function signToken(secret: string, claims: Claims): string {
  const signed = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signed}.${digest(secret, signed)}`;
}

/**
 * A keyed 256-bit digest in place of HS256's HMAC: signing has to be synchronous and run in
 * browsers (Web Crypto's HMAC is neither), and the mock only needs to recognise its own tokens.
 */
function digest(secret: string, input: string): string {
  const text = `${secret}.${input}`;
  let bytes = '';
  for (let lane = 0; lane < 8; lane++) {
    let hash = Math.imul(lane + 1, 0x9e3779b9) ^ 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    hash ^= hash >>> 16;
    for (let shift = 24; shift >= 0; shift -= 8) bytes += String.fromCharCode((hash >>> shift) & 0xff);
  }
  return base64url(bytes);
}

/** base64url of a binary (or ASCII) string, unpadded as in JWTs. */
function base64url(binary: string): string {
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeClaims(segment: string): unknown {
  try {
    return JSON.parse(atob(segment.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return undefined; // a token forged with the signing key from a state dump can carry anything
  }
}
