// Who may drive `/__usermock/…` over the network: the control endpoints hand out every credential,
// reset the state and plant overrides, so — as Vite's dev server does since its 2025 fixes — they
// answer only requests that can come from their owner. A `Host` that is not this machine, an IP
// address or a name usermock was told of is refused (DNS rebinding: a page on evil.example whose
// name now resolves to 127.0.0.1 is "same-origin" with the mock); a browser's request from an
// origin that is neither this one nor loopback is refused, preflight or not (CORS alone does not
// stop a no-cors POST from resetting the state); with a control token, only its holder gets in.
// The APIs' own routes are not guarded: a frontend on any origin calls them, as it calls the vendor.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { constantTimeEqual } from './core/constant-time.ts';

/** How `createHttpServer` guards the control endpoints and the dashboard; every default is the safe one. */
export interface ControlPlaneOptions {
  /**
   * `Host` names answered besides loopback names (`localhost`, `*.localhost`) and IP addresses
   * (`--allowed-hosts`): `usermock.internal`, or `.example.com` for it and its subdomains; `true`
   * answers any (DNS rebinding is then the network's to stop).
   */
  allowedHosts?: readonly string[] | true;
  /** Origins whose pages may call the control endpoints besides the mock's own and loopback ones (`--cors-origin`). */
  corsOrigins?: readonly string[];
  /** When set, the control endpoints (not the dashboard's static files) require it (`--control-token`). */
  controlToken?: string;
}

const CONTROL_TOKEN_HEADER = 'x-usermock-control-token';
/** `http(s)://localhost`, `*.localhost`, `127.0.0.1`, `[::1]`, any port: Vite's default CORS origins. */
const LOOPBACK_ORIGIN = /^https?:\/\/(?:(?:[^:/]+\.)?localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/i;
/** The dashboard page: the one place a browser is sent to (it may carry `?token=`), and a static file. */
const DASHBOARD_PAGE = new Set(['/__usermock', '/__usermock/']);
const DASHBOARD_ASSETS = '/__usermock/dashboard/';

/**
 * A guard for requests under `/__usermock`: it answers (a refusal, or the dashboard's token
 * redirect) and says so, or lets the request through.
 */
export function controlPlaneGuard(options: ControlPlaneOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const corsOrigins = new Set((options.corsOrigins ?? []).map(originOf));
  const allowedHosts =
    options.allowedHosts === true
      ? true
      : (options.allowedHosts ?? []).map((host) => (host.startsWith('.') ? host.toLowerCase() : hostnameOf(host)));
  return (req, res) => {
    const refusal = hostRefusal(req.headers.host, allowedHosts) ?? originRefusal(req, corsOrigins);
    if (refusal) return refuse(res, 403, refusal);
    if (options.controlToken === undefined || req.method === 'OPTIONS') return false;
    const [path, query] = splitUrl(req.url!);
    // The page and its files are the same for everyone: only the calls they make hold the mock's data.
    if (path.startsWith(DASHBOARD_ASSETS)) return false;
    if (DASHBOARD_PAGE.has(path)) return query.has('token') && tokenRedirect(req, res, query.get('token')!, options.controlToken);
    if (presentedTokens(req).some((token) => constantTimeEqual(token, options.controlToken!))) return false;
    return refuse(
      res,
      401,
      'usermock: the control endpoints need the control token usermock was started with (--control-token or USERMOCK_CONTROL_TOKEN): ' +
        `send "Authorization: Bearer <token>" or "${CONTROL_TOKEN_HEADER}: <token>", or open the dashboard once at /__usermock/?token=<token>.\n`,
      // Its origin is allowed: the page may read why it was refused.
      req.headers.origin === undefined
        ? {}
        : { 'access-control-allow-origin': req.headers.origin, 'access-control-allow-credentials': 'true', vary: 'Origin' },
    );
  };
}

/** The hostname of a `Host` header, lower-cased, without its port, brackets or a trailing dot. */
function hostnameOf(host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * Why a `Host` is refused, if it is. An IP address is always answered: DNS rebinding needs a name
 * the attacker's DNS answers, and a page at an IP address's origin is that machine's own. So are
 * loopback names (`*.localhost` is loopback in browsers) and the names usermock was told of.
 */
function hostRefusal(host: string | undefined, allowed: readonly string[] | true): string | undefined {
  // A browser always sends Host; a request without one (HTTP/1.0) comes from no page.
  if (host === undefined || allowed === true) return undefined;
  const name = hostnameOf(host);
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return undefined;
  if (allowed.some((entry) => entry === name || (entry.startsWith('.') && (name === entry.slice(1) || name.endsWith(entry)))))
    return undefined;
  return (
    `usermock: refused: the control endpoints answer requests to this machine (localhost, 127.0.0.1, [::1], an IP address) or to a name usermock was given, ` +
    `not Host "${host}" — a page whose name was made to resolve here (DNS rebinding) would send that. ` +
    `If ${name} is how you reach usermock, start it with --allowed-hosts ${name} (or --allowed-hosts all).\n`
  );
}

/**
 * Why a browser's request is refused, if it is: an `Origin` other than the mock's own, a loopback
 * one or one allowed (`null` — a sandboxed frame, a file:// page — is anyone's), or — where there
 * is no `Origin` — a cross-site request other than a navigation (a navigation's answer is shown to
 * the user, never to the page that started it).
 */
function originRefusal(req: IncomingMessage, corsOrigins: ReadonlySet<string>): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) {
    const navigation = req.headers['sec-fetch-mode'] === 'navigate' && (req.method === 'GET' || req.method === 'HEAD');
    if (req.headers['sec-fetch-site'] !== 'cross-site' || navigation) return undefined;
    return (
      `usermock: refused: a cross-site request (Sec-Fetch-Site: cross-site) to the control endpoints; ` +
      `a page may call them from the mock's own origin, a loopback origin, or an origin usermock was started with --cors-origin <origin> for.\n`
    );
  }
  if (origin === 'null') {
    return (
      'usermock: refused: Origin null (a sandboxed frame, a file:// or data: page) could be any page, so it may not call the control endpoints; ' +
      'serve the page from an http(s) origin, and start usermock with --cors-origin <that origin> unless it is loopback.\n'
    );
  }
  if (LOOPBACK_ORIGIN.test(origin) || corsOrigins.has(origin.toLowerCase()) || sameOrigin(origin, req.headers.host)) return undefined;
  return (
    `usermock: refused: the control endpoints answer pages from the mock's own origin and loopback origins (localhost, 127.0.0.1, [::1], any port), not ${origin}. ` +
    `To let that origin read the credentials and reset the state, start usermock with --cors-origin ${origin}.\n`
  );
}

/** Whether an origin is the one the request was sent to (http or https: a TLS proxy may stand in front). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  return host !== undefined && /^https?:\/\//i.test(origin) && origin.slice(origin.indexOf('//') + 2).toLowerCase() === host.toLowerCase();
}

/** An origin as browsers send it: scheme, host and port only, lower-cased (`--cors-origin https://App.example/` is `https://app.example`). */
export function originOf(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${value} is not an http(s) origin`);
  return url.origin;
}

function splitUrl(url: string): [string, URLSearchParams] {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? [url, new URLSearchParams()] : [url.slice(0, queryStart), new URLSearchParams(url.slice(queryStart + 1))];
}

/** The tokens a request presents: its `Authorization: Bearer`, the control-token header, the dashboard's cookie. */
function presentedTokens(req: IncomingMessage): string[] {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers[CONTROL_TOKEN_HEADER];
  const cookie = cookieNamed(req.headers.cookie, cookieName(req));
  return [bearer, typeof header === 'string' ? header : undefined, cookie].filter((token) => token !== undefined);
}

/**
 * Named after the port: a browser sends a cookie to every port of a host, and two mocks on one
 * machine, each with its token, must not overwrite each other's.
 */
const cookieName = (req: IncomingMessage) => `usermock-control-${req.socket.localPort}`;

function cookieNamed(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return undefined; // not a value this mock set
    }
  }
  return undefined;
}

/**
 * `/__usermock/?token=<token>`: the link `usermock serve` prints. The token goes into a cookie the
 * page's own calls send (HttpOnly: no script reads it; SameSite=Strict: no other site's request
 * carries it), and the browser is sent on to the page without it, out of its address bar and history.
 */
function tokenRedirect(req: IncomingMessage, res: ServerResponse, token: string, expected: string): boolean {
  if (!constantTimeEqual(token, expected))
    return refuse(res, 403, 'usermock: refused: that is not the control token usermock was started with.\n');
  res.writeHead(303, {
    location: '/__usermock/',
    'set-cookie': `${cookieName(req)}=${encodeURIComponent(token)}; Path=/__usermock/; HttpOnly; SameSite=Strict`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end();
  return true;
}

function refuse(res: ServerResponse, status: 401 | 403, message: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(message)),
    'x-content-type-options': 'nosniff',
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="usermock control"' } : {}),
  });
  res.end(message);
  return true;
}
