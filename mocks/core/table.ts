/**
 * Records by primary key, with secondary indexes that `put` and `delete` keep in step. A `unique`
 * index gives the one key a row is found under (or none); a `multi` index the keys it is one of
 * many under. Replacing a row drops the stored row's keys first, so a row must be replaced by a
 * new object — never changed in place — for a change to what it is indexed under to count.
 */
export class Table<Key, Row, Unique extends string = never, Multi extends string = never> {
  private readonly rows = new Map<Key, Row>();
  private readonly unique: Array<{ name: Unique; keyOf: (row: Row) => string | undefined; map: Map<string, Key> }>;
  private readonly multi: Array<{ name: Multi; keysOf: (row: Row) => Iterable<string>; map: Map<string, Set<Key>> }>;
  /** Counts the changes, so what is derived from the rows knows when it is stale. */
  private version = 0;
  private readonly derivations = new WeakMap<(table: this) => unknown, { version: number; value: unknown }>();

  constructor(
    private readonly keyOf: (row: Row) => Key,
    indexes: {
      unique?: Record<Unique, (row: Row) => string | undefined>;
      multi?: Record<Multi, (row: Row) => Iterable<string>>;
    } = {},
  ) {
    this.unique = Object.entries<(row: Row) => string | undefined>(indexes.unique ?? ({} as Record<Unique, never>)).map(
      ([name, keyOf]) => ({ name: name as Unique, keyOf, map: new Map() }),
    );
    this.multi = Object.entries<(row: Row) => Iterable<string>>(indexes.multi ?? ({} as Record<Multi, never>)).map(([name, keysOf]) => ({
      name: name as Multi,
      keysOf,
      map: new Map(),
    }));
  }

  get size(): number {
    return this.rows.size;
  }

  get(key: Key): Row | undefined {
    return this.rows.get(key);
  }

  has(key: Key): boolean {
    return this.rows.has(key);
  }

  /** Every row, in the order first put. */
  values(): IterableIterator<Row> {
    return this.rows.values();
  }

  /** The row a unique index holds under a key. */
  find(index: Unique, key: string): Row | undefined {
    const id = this.unique.find((unique) => unique.name === index)!.map.get(key);
    return id === undefined ? undefined : this.rows.get(id);
  }

  /** The keys of the rows a multi index holds under a key. */
  keysWith(index: Multi, key: string): ReadonlySet<Key> {
    return this.multi.find((multi) => multi.name === index)!.map.get(key) ?? new Set();
  }

  /** A value computed from the rows (a list answer's JSON), kept until the next `put` or `delete`. */
  derived<T>(compute: (table: this) => T): T {
    const cached = this.derivations.get(compute);
    if (cached?.version === this.version) return cached.value as T;
    const value = compute(this);
    this.derivations.set(compute, { version: this.version, value });
    return value;
  }

  /** Stores a new row, or a new object in place of the stored one with its key. */
  put(row: Row): void {
    this.version++;
    const key = this.keyOf(row);
    const old = this.rows.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.rows.set(key, row);
    for (const { keyOf, map } of this.unique) {
      const value = keyOf(row);
      if (value !== undefined) map.set(value, key);
    }
    for (const { keysOf, map } of this.multi) {
      for (const value of keysOf(row)) {
        let keys = map.get(value);
        if (!keys) map.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  delete(key: Key): boolean {
    const old = this.rows.get(key);
    if (old === undefined) return false;
    this.version++;
    this.unindex(key, old);
    return this.rows.delete(key);
  }

  private unindex(key: Key, row: Row): void {
    for (const { keyOf, map } of this.unique) {
      const value = keyOf(row);
      // Another row may hold the key now (the last put wins); it keeps it.
      if (value !== undefined && map.get(value) === key) map.delete(value);
    }
    for (const { keysOf, map } of this.multi) {
      for (const value of keysOf(row)) {
        const keys = map.get(value);
        keys?.delete(key);
        if (keys?.size === 0) map.delete(value);
      }
    }
  }
}
