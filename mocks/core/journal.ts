/** One answered request, as `GET /__usermock/requests` and the dashboard show it. Never holds headers or bodies. */
export interface JournalEntry {
  time: string;
  session: string;
  method: string;
  path: string;
  status: number;
  /** Milliseconds from the request reaching the core to its answer (the delays it waits included: latency, `Prefer: delay`, overrides). */
  duration: number;
  /** The API that owns the path, and the spec operation the request routed to there. */
  api?: string;
  operation?: string;
  /** How the request broke the API's spec, in plain words (the mock answered it as the vendor does). */
  violations?: string[];
  /** The id of the override (scenario, dashboard, `mock.override()`) that answered instead of the API. */
  override?: string;
}

/** An entry as recorded: the time as a number, formatted only when the journal is read. */
export type Recorded = Omit<JournalEntry, 'time'> & { time: number };

type Listener = (entry: Recorded) => void;

/**
 * The most recent requests the mock answered, oldest first, bounded in size: a ring, so recording
 * costs the same with a full journal as with an empty one (it runs on every request).
 */
export class Journal {
  private readonly entries: Recorded[] = [];
  /** Where the next entry goes once the ring is full: the oldest entry's slot. */
  private next = 0;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly limit = 1000) {}

  record(entry: Recorded): void {
    if (this.entries.length < this.limit) {
      this.entries.push(entry);
    } else {
      this.entries[this.next] = entry;
      this.next = (this.next + 1) % this.limit;
    }
    for (const listener of this.listeners) listener(entry);
  }

  /** Tells `listener` of every entry recorded from now on (as recorded: `formatted` shows it), until the function returned is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(session?: string): JournalEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.filter((entry) => session === undefined || entry.session === session).map(formatted);
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}

/** An entry as the journal shows it. */
export const formatted = (entry: Recorded): JournalEntry => ({ ...entry, time: new Date(entry.time).toISOString() });
