/**
 * Records by primary key, with secondary indexes that `put` and `delete` keep in step. Each index
 * is a function giving the keys a record is found under (none, one or several); a `unique` index
 * finds one record per key, a `multi` index every record with the key. The keys a row was indexed
 * under are remembered, so replacing it — with a new object or the same one changed in place —
 * never leaves a stale entry behind.
 */
export class Table<Key, Row, Unique extends string = never, Multi extends string = never> {
  private readonly rows = new Map<Key, Row>();
  private readonly unique = new Map<Unique, Map<string, Key>>();
  private readonly multi = new Map<Multi, Map<string, Set<Key>>>();
  /** Per row, the keys each index holds it under, in the order of `unique` then `multi`. */
  private readonly indexed = new Map<Key, string[][]>();
  /** Counts the changes, so what is derived from the rows knows when it is stale. */
  private version = 0;
  private readonly derivations = new WeakMap<(table: this) => unknown, { version: number; value: unknown }>();

  constructor(
    private readonly keyOf: (row: Row) => Key,
    private readonly indexes: {
      unique?: Record<Unique, (row: Row) => Iterable<string>>;
      multi?: Record<Multi, (row: Row) => Iterable<string>>;
    } = {},
  ) {
    for (const name of Object.keys(indexes.unique ?? {}) as Unique[]) this.unique.set(name, new Map());
    for (const name of Object.keys(indexes.multi ?? {}) as Multi[]) this.multi.set(name, new Map());
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
    const id = this.unique.get(index)!.get(key);
    return id === undefined ? undefined : this.rows.get(id);
  }

  /** The keys of the rows a multi index holds under a key. */
  keysWith(index: Multi, key: string): ReadonlySet<Key> {
    return this.multi.get(index)!.get(key) ?? new Set();
  }

  /**
   * A value computed from the rows (a list answer's JSON), kept until the next `put` or `delete`:
   * a row changed in place must be put again, as every change is.
   */
  derived<T>(compute: (table: this) => T): T {
    const cached = this.derivations.get(compute);
    if (cached?.version === this.version) return cached.value as T;
    const value = compute(this);
    this.derivations.set(compute, { version: this.version, value });
    return value;
  }

  /** Stores a new or changed row under its key, replacing the row stored there. */
  put(row: Row): void {
    this.version++;
    const key = this.keyOf(row);
    this.unindex(key);
    this.rows.set(key, row);
    this.index(key, row);
  }

  delete(key: Key): boolean {
    this.version++;
    this.unindex(key);
    return this.rows.delete(key);
  }

  private index(key: Key, row: Row): void {
    const indexed: string[][] = [];
    for (const [name, map] of this.unique) {
      const values = [...this.indexes.unique![name](row)];
      for (const value of values) map.set(value, key);
      indexed.push(values);
    }
    for (const [name, map] of this.multi) {
      const values = [...this.indexes.multi![name](row)];
      for (const value of values) {
        let keys = map.get(value);
        if (!keys) map.set(value, (keys = new Set()));
        keys.add(key);
      }
      indexed.push(values);
    }
    this.indexed.set(key, indexed);
  }

  private unindex(key: Key): void {
    const indexed = this.indexed.get(key);
    if (!indexed) return;
    let i = 0;
    for (const map of this.unique.values()) for (const value of indexed[i++]!) if (map.get(value) === key) map.delete(value);
    for (const map of this.multi.values()) {
      for (const value of indexed[i++]!) {
        const keys = map.get(value)!;
        keys.delete(key);
        if (keys.size === 0) map.delete(value);
      }
    }
    this.indexed.delete(key);
  }
}
