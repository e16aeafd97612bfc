/** One answered request, as `GET /__usermock/requests` shows it. Never holds headers or bodies. */
export interface JournalEntry {
  time: string;
  session: string;
  method: string;
  path: string;
  status: number;
}

/** The most recent requests the mock answered, oldest first, bounded in size. */
export class Journal {
  private readonly entries: JournalEntry[] = [];

  constructor(private readonly limit = 1000) {}

  record(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  list(session?: string): JournalEntry[] {
    return session === undefined ? [...this.entries] : this.entries.filter((entry) => entry.session === session);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
