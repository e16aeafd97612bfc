/** One answered request, as `GET /__usermock/requests` shows it. Never holds headers or bodies. */
export interface JournalEntry {
  time: string;
  session: string;
  method: string;
  path: string;
  status: number;
}

/** An entry as recorded: the time as a number, formatted only when the journal is read. */
type Recorded = Omit<JournalEntry, 'time'> & { time: number };

/**
 * The most recent requests the mock answered, oldest first, bounded in size: a ring, so recording
 * costs the same with a full journal as with an empty one (it runs on every request).
 */
export class Journal {
  private readonly entries: Recorded[] = [];
  /** Where the next entry goes once the ring is full: the oldest entry's slot. */
  private next = 0;

  constructor(private readonly limit = 1000) {}

  record(entry: Recorded): void {
    if (this.entries.length < this.limit) {
      this.entries.push(entry);
    } else {
      this.entries[this.next] = entry;
      this.next = (this.next + 1) % this.limit;
    }
  }

  list(session?: string): JournalEntry[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered
      .filter((entry) => session === undefined || entry.session === session)
      .map((entry) => ({ ...entry, time: new Date(entry.time).toISOString() }));
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
