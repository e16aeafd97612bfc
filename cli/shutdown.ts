// How `usermock serve` stops. On SIGINT or SIGTERM it stops accepting connections, closes idle
// keep-alive ones, gives the writes in flight a moment to be answered (and so made durable in
// --state-file), cuts every other connection (dashboards' event streams, slow reads), waits for
// the state file's last write, prints `usermock: stopped (SIGTERM)` and exits 130 (SIGINT) or 143
// (SIGTERM), as `usermock check` does. A second signal exits at once.
import type { Server, ServerResponse } from 'node:http';

/** How long the writes in flight when the signal came may take to be answered before their connections are cut. */
export const WRITE_GRACE_MS = 5_000;

/** How often a server run by npm looks for the shell npm started it in (see `watchLauncher`). */
const LAUNCHER_POLL_MS = 250;

export const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The state file's writes, so that stopping waits for the last one. Once the server is stopped
 * (every connection closed) a write nobody can be told of is skipped: a process exiting in the
 * middle of it would only leave its temporary file behind.
 */
export class StateWrites {
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly write: (snapshot: string) => Promise<void>) {}

  readonly persist = (snapshot: string): Promise<void> => {
    if (this.closed) return Promise.resolve();
    const writing = this.write(snapshot);
    this.pending.add(writing);
    const done = () => this.pending.delete(writing);
    writing.then(done, done);
    return writing;
  };

  /** Resolves once no write is under way; later ones are skipped. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** Stops `server` cleanly on SIGINT and SIGTERM, and when npm's shell that ran it is gone. */
export function stopOnSignals(server: Server, writes?: StateWrites, store?: { close(): Promise<void> }): void {
  // Requests that may change the state, from their arrival to the end of their answer.
  const inFlight = new Set<ServerResponse>();
  let drained: (() => void) | undefined;
  let stopping = false;
  server.on('request', (req, res) => {
    // While stopping, an answer is the last on its connection.
    if (stopping && !res.headersSent) res.setHeader('connection', 'close');
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) drained?.();
    });
  });

  const stop = async (signal: keyof typeof EXIT_CODES, why: string = signal) => {
    if (stopping) process.exit(EXIT_CODES[signal]);
    stopping = true;
    server.close(); // no new connections; Node closes the idle keep-alive ones
    server.closeIdleConnections();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    if (inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, WRITE_GRACE_MS);
      });
      clearTimeout(timer);
    }
    server.closeAllConnections();
    await writes?.close();
    await store?.close();
    console.log(`${signal === 'SIGINT' ? '\n' : ''}usermock: stopped (${why})`);
    process.exit(EXIT_CODES[signal]);
  };
  process.on('SIGINT', () => void stop('SIGINT')).on('SIGTERM', () => void stop('SIGTERM'));
  watchLauncher(() => void stop('SIGTERM', "npm's shell that started it is gone"));
}

/**
 * `npm start`, `npm run` and `npx` run a command in a shell (`sh -c`) and forward SIGTERM to that
 * shell, not to what it runs: the shell dies and the server, orphaned, would go on listening. So a
 * server run by npm stops when the process that started it is gone. Only a parent that was there
 * when the server started listening counts: `nohup usermock serve &` in an npm script detaches on
 * purpose, and its shell is gone by then.
 */
function watchLauncher(onGone: () => void): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, LAUNCHER_POLL_MS).unref();
}
