// The core's indexed table: what `put` and `delete` must keep in step for every vendor's state.
import { describe, expect, it } from 'vitest';
import { Table } from '../../mocks/core/table.ts';

interface Row {
  id: number;
  email: string;
  tags: string[];
}

const table = () =>
  new Table<number, Row, 'email', 'tag'>((row) => row.id, { unique: { email: (row) => row.email }, multi: { tag: (row) => row.tags } });

describe('Table', () => {
  it('finds rows by key, unique index and multi index', () => {
    const rows = table();
    rows.put({ id: 1, email: 'a@example.com', tags: ['x', 'y'] });
    rows.put({ id: 2, email: 'b@example.com', tags: ['y'] });
    expect(rows.get(2)?.email).toBe('b@example.com');
    expect(rows.find('email', 'a@example.com')?.id).toBe(1);
    expect([...rows.keysWith('tag', 'y')]).toEqual([1, 2]);
    expect([...rows.values()].map((row) => row.id)).toEqual([1, 2]);
    expect(rows.size).toBe(2);
  });

  it('drops the keys a row was indexed under when a new object replaces it', () => {
    const rows = table();
    rows.put({ id: 1, email: 'old@example.com', tags: ['x'] });
    const replacement = { id: 1, email: 'new@example.com', tags: ['z'] };
    rows.put(replacement);
    expect(rows.find('email', 'old@example.com')).toBeUndefined();
    expect(rows.find('email', 'new@example.com')).toBe(replacement);
    expect(rows.keysWith('tag', 'x').size).toBe(0);
    expect([...rows.keysWith('tag', 'z')]).toEqual([1]);
    expect(rows.size).toBe(1);
  });

  it('recomputes what is derived from the rows after a change, and only then', () => {
    const rows = table();
    rows.put({ id: 1, email: 'a@example.com', tags: [] });
    let computed = 0;
    const emails = (table: Table<number, Row, 'email', 'tag'>) => (computed++, [...table.values()].map((row) => row.email).join());
    expect([rows.derived(emails), rows.derived(emails), computed]).toEqual(['a@example.com', 'a@example.com', 1]);
    rows.put({ id: 2, email: 'b@example.com', tags: [] });
    expect([rows.derived(emails), computed]).toEqual(['a@example.com,b@example.com', 2]);
    rows.delete(1);
    expect([rows.derived(emails), computed]).toEqual(['b@example.com', 3]);
  });

  it('forgets a deleted row everywhere, and leaves another row holding the same unique key alone', () => {
    const rows = table();
    rows.put({ id: 1, email: 'shared@example.com', tags: ['x'] });
    rows.put({ id: 2, email: 'shared@example.com', tags: ['x'] });
    expect(rows.delete(1)).toBe(true);
    expect(rows.delete(1)).toBe(false);
    expect(rows.get(1)).toBeUndefined();
    expect(rows.find('email', 'shared@example.com')?.id).toBe(2);
    expect([...rows.keysWith('tag', 'x')]).toEqual([2]);
  });

  describe('fork', () => {
    const seeded = () => {
      const rows = table();
      rows.put({ id: 1, email: 'a@example.com', tags: ['x'] });
      rows.put({ id: 2, email: 'b@example.com', tags: ['x', 'y'] });
      rows.put({ id: 3, email: 'c@example.com', tags: ['y'] });
      return rows;
    };
    const ids = (rows: Table<number, Row, 'email', 'tag'>) => [...rows.values()].map((row) => row.id);

    it('reads the base until it changes, then holds its own changes in the base’s order', () => {
      const base = seeded();
      const fork = base.fork();
      expect([ids(fork), fork.size, fork.find('email', 'b@example.com')?.id, [...fork.keysWith('tag', 'y')]]).toEqual([
        [1, 2, 3],
        3,
        2,
        [2, 3],
      ]);
      fork.put({ id: 2, email: 'b2@example.com', tags: ['z'] }); // replaced where it was
      fork.delete(1);
      fork.put({ id: 4, email: 'a@example.com', tags: ['x'] }); // a new row, at the end, with a freed unique key
      expect(ids(fork)).toEqual([2, 3, 4]);
      expect(fork.size).toBe(3);
      expect(fork.get(1)).toBeUndefined();
      expect(fork.has(2)).toBe(true);
      expect(fork.find('email', 'b@example.com')).toBeUndefined();
      expect(fork.find('email', 'b2@example.com')?.id).toBe(2);
      expect(fork.find('email', 'a@example.com')?.id).toBe(4);
      expect([[...fork.keysWith('tag', 'x')], [...fork.keysWith('tag', 'y')], [...fork.keysWith('tag', 'z')]]).toEqual([[4], [3], [2]]);
      // A row of the base deleted and put again goes to the end, as in a Map.
      fork.delete(3);
      fork.put({ id: 3, email: 'c@example.com', tags: [] });
      expect([ids(fork), fork.size, fork.keysWith('tag', 'y').size]).toEqual([[2, 4, 3], 3, 0]);
      fork.delete(3);
      expect([ids(fork), fork.size, fork.delete(3)]).toEqual([[2, 4], 2, false]);
    });

    it('leaves the base and its other forks as they were, and the base never changes again', () => {
      const base = seeded();
      const one = base.fork();
      const two = base.fork();
      one.delete(2);
      one.put({ id: 1, email: 'changed@example.com', tags: ['y'] });
      for (const rows of [base, two]) {
        expect(ids(rows)).toEqual([1, 2, 3]);
        expect(rows.find('email', 'a@example.com')?.id).toBe(1);
        expect(rows.find('email', 'changed@example.com')).toBeUndefined();
        expect([...rows.keysWith('tag', 'y')]).toEqual([2, 3]);
      }
      expect([...one.keysWith('tag', 'y')]).toEqual([3, 1]);
      expect(() => base.put({ id: 9, email: 'z@example.com', tags: [] })).toThrow('a table with forks never changes');
      expect(() => base.delete(1)).toThrow('a table with forks never changes');
    });

    it('derives from its own rows', () => {
      const fork = seeded().fork();
      const emails = (rows: Table<number, Row, 'email', 'tag'>) => [...rows.values()].map((row) => row.email).join();
      expect(fork.derived(emails)).toBe('a@example.com,b@example.com,c@example.com');
      fork.delete(2);
      expect(fork.derived(emails)).toBe('a@example.com,c@example.com');
    });
  });
});
