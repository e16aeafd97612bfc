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
});
