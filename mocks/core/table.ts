/** What a fork holds in place of a row, or a unique key, of its base that it deleted. */
const GONE: unique symbol = Symbol('gone');
type Gone = typeof GONE;
const NO_KEYS: ReadonlySet<never> = new Set();

/**
 * Records by primary key, with secondary indexes that `put` and `delete` keep in step. A `unique`
 * index gives the one key a row is found under (or none); a `multi` index the keys it is one of
 * many under. Replacing a row drops the stored row's keys first, so a row must be replaced by a
 * new object — never changed in place — for a change to what it is indexed under to count.
 *
 * `fork()` gives a table that starts with these rows and changes on its own, sharing them: it
 * holds only what it changed (the rows it put or deleted, the index keys they moved), and reads
 * the rest from its base — which, once forked, never changes again (a `put` or `delete` on it
 * throws). A session's copy of the seeded state is a fork, so it costs what the session wrote.
 * Rows are shared too, which is why they are never changed in place.
 */
export class Table<Key, Row, Unique extends string = never, Multi extends string = never> {
  /** The rows put here, in the order first put (in a fork: those its base does not hold at their place). */
  private readonly rows = new Map<Key, Row>();
  /** A fork's changes to its base's rows, at their place: the row that replaced one, or GONE. */
  private readonly shadowed = new Map<Key, Row | Gone>();
  /** How many of the base's rows this fork deleted. */
  private gone = 0;
  private readonly unique: Array<{ name: Unique; keyOf: (row: Row) => string | undefined; map: Map<string, Key | Gone> }>;
  /** In a fork, a key's set is the base's copied on its first change (an empty one hides the base's). */
  private readonly multi: Array<{ name: Multi; keysOf: (row: Row) => Iterable<string>; map: Map<string, Set<Key>> }>;
  /** Counts the changes, so what is derived from the rows knows when it is stale. */
  private version = 0;
  private readonly derivations = new WeakMap<(table: this) => unknown, { version: number; value: unknown }>();
  /** The table this one is a fork of. */
  private base: Table<Key, Row, Unique, Multi> | undefined;
  /** Whether this table has forks, which read it: it must never change again. */
  private forked = false;

  constructor(
    private readonly keyOf: (row: Row) => Key,
    private readonly indexes: {
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

  /** A table with these rows that changes on its own, sharing what it does not change; this one never changes again. */
  fork(): Table<Key, Row, Unique, Multi> {
    this.forked = true;
    const fork = new Table<Key, Row, Unique, Multi>(this.keyOf, this.indexes);
    fork.base = this;
    return fork;
  }

  get size(): number {
    return this.rows.size + (this.base ? this.base.size - this.gone : 0);
  }

  get(key: Key): Row | undefined {
    const row = this.rows.get(key);
    if (row !== undefined || !this.base) return row;
    const shadow = this.shadowed.get(key);
    if (shadow === undefined) return this.base.get(key);
    return shadow === GONE ? undefined : shadow;
  }

  has(key: Key): boolean {
    return this.get(key) !== undefined;
  }

  /** Every row, in the order first put. */
  values(): IterableIterator<Row> {
    return this.base ? this.forkValues() : this.rows.values();
  }

  /** The row a unique index holds under a key. */
  find(index: Unique, key: string): Row | undefined {
    const id = this.uniqueKey(indexOf(this.unique, index), key);
    return id === undefined ? undefined : this.get(id);
  }

  /** The keys of the rows a multi index holds under a key. */
  keysWith(index: Multi, key: string): ReadonlySet<Key> {
    return this.multiKeys(indexOf(this.multi, index), key) ?? NO_KEYS;
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
    this.assertUnforked();
    this.version++;
    const key = this.keyOf(row);
    const old = this.get(key);
    if (old !== undefined) this.unindex(key, old);
    // A fork replaces a row of its base at the base's place; a new row goes at the end.
    if (this.base && old !== undefined && !this.rows.has(key)) this.shadowed.set(key, row);
    else this.rows.set(key, row);
    for (const { keyOf, map } of this.unique) {
      const value = keyOf(row);
      if (value !== undefined) map.set(value, key);
    }
    this.multi.forEach(({ keysOf }, i) => {
      for (const value of keysOf(row)) this.ownKeys(i, value).add(key);
    });
  }

  delete(key: Key): boolean {
    const old = this.get(key);
    if (old === undefined) return false;
    this.assertUnforked();
    this.version++;
    this.unindex(key, old);
    if (!this.rows.delete(key)) {
      this.shadowed.set(key, GONE);
      this.gone++;
    }
    return true;
  }

  private *forkValues(): Generator<Row, undefined, undefined> {
    for (const [key, row] of this.base!.entries()) {
      const shadow = this.shadowed.get(key);
      if (shadow === undefined) yield row;
      else if (shadow !== GONE) yield shadow;
    }
    yield* this.rows.values();
    return undefined;
  }

  private *entries(): Generator<[Key, Row], undefined, undefined> {
    if (!this.base) {
      yield* this.rows.entries();
      return undefined;
    }
    for (const [key, row] of this.base.entries()) {
      const shadow = this.shadowed.get(key);
      if (shadow === undefined) yield [key, row];
      else if (shadow !== GONE) yield [key, shadow];
    }
    yield* this.rows.entries();
    return undefined;
  }

  private uniqueKey(index: number, value: string): Key | undefined {
    const own = this.unique[index]!.map.get(value);
    if (own !== undefined) return own === GONE ? undefined : own;
    return this.base?.uniqueKey(index, value);
  }

  private multiKeys(index: number, value: string): ReadonlySet<Key> | undefined {
    return this.multi[index]!.map.get(value) ?? this.base?.multiKeys(index, value);
  }

  /** The set this table holds for a multi index's key, a copy of the base's made on first change. */
  private ownKeys(index: number, value: string): Set<Key> {
    const { map } = this.multi[index]!;
    let keys = map.get(value);
    if (!keys) map.set(value, (keys = new Set(this.base?.multiKeys(index, value))));
    return keys;
  }

  private unindex(key: Key, row: Row): void {
    this.unique.forEach(({ keyOf, map }, i) => {
      const value = keyOf(row);
      // Another row may hold the key now (the last put wins); it keeps it.
      if (value === undefined || this.uniqueKey(i, value) !== key) return;
      if (this.base) map.set(value, GONE);
      else map.delete(value);
    });
    this.multi.forEach(({ keysOf, map }, i) => {
      for (const value of keysOf(row)) {
        const keys = this.base ? this.ownKeys(i, value) : map.get(value);
        keys?.delete(key);
        // A fork keeps an empty set: it hides the base's.
        if (!this.base && keys?.size === 0) map.delete(value);
      }
    });
  }

  private assertUnforked(): void {
    if (this.forked) throw new Error('usermock: a table with forks never changes: its forks read it');
  }
}

/** Where the index of that name is (a loop: it runs on every lookup, and a closure per call costs more). */
function indexOf(indexes: ReadonlyArray<{ name: string }>, name: string): number {
  for (let i = 0; i < indexes.length; i++) if (indexes[i]!.name === name) return i;
  return -1;
}
