import type { Middleware } from './middlewares.ts';

/**
 * A state file kept up to date: every change is written before its answer leaves, in order, and a
 * state that did not change is not written again.
 */
export class Persistence {
  private writing: Promise<void> = Promise.resolve();
  /** The state as last handed to `write`, to skip writing a state that did not change. */
  private written: string | undefined;

  constructor(
    private readonly write: (snapshot: string) => Promise<void>,
    private readonly state: () => string,
  ) {}

  /** Waits until the state, including every change so far, is durable. */
  flush(): Promise<void> {
    // Chained, so the file never goes back to an older state; a failed write fails only the
    // answers waiting for it, and the next change tries again.
    const written = this.writing.then(async () => {
      const snapshot = this.state();
      if (snapshot === this.written) return;
      await this.write(snapshot);
      this.written = snapshot;
    });
    this.writing = written.catch(() => undefined);
    return written;
  }

  /**
   * A write is durable before its answer leaves — not only after a 2xx: some refusals keep part of
   * the change, as the vendor's do (Haplo's update applies fields one by one), and the file must
   * show what a GET shows.
   */
  readonly durableWrites: Middleware = (context, next) => {
    if (context.sent.method === 'GET') return next(context);
    return Promise.resolve(next(context)).then(async (response) => {
      await this.flush();
      return response;
    });
  };
}
