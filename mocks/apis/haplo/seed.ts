// Haplo's seeded application: the principals the spec's examples show, the standard groups and
// the API's service user, then faker people.
import { apiSpec } from '../../../specs/index.ts';
import type { SeedOptions } from '../../core/api.ts';
import { isObject } from '../../core/http.ts';
import { EVERYONE, HaploState, type HaploRecord, type HaploUser } from './state.ts';
import { deepEqual, groupIdsFor } from './wire.ts';

const ADMINISTRATORS = 'std:group:administrators';
/** The group whose members may use the API: the spec's `x-required-group` (every operation names the same one). */
const API_GROUP = apiSpec('haplo').operations.find((operation) => operation.requirement.group)!.requirement.group!;

const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, '');

function unique(base: string, taken: (candidate: string) => boolean): string {
  let candidate = base;
  for (let n = 2; taken(candidate); n++) candidate = `${base}${n}`;
  return candidate;
}

/**
 * The principals the spec's examples marked `x-usermock-seed` show (`user` and `group` of each
 * marked answer), each once, in id order. Every example that names an existing user or group is
 * about one of these, so the examples run against the state `usermock serve` starts with. Fresh
 * objects on every call: the state replaces its principals.
 */
function documentedPrincipals(): HaploUser[] {
  if (!documentedCache) {
    const byId = new Map<number, HaploUser>();
    for (const example of apiSpec('haplo').seededExamples()) {
      if (!isObject(example.value)) continue;
      for (const principal of [example.value.user, example.value.group]) {
        if (!isObject(principal) || typeof principal.id !== 'number') continue;
        const seen = byId.get(principal.id);
        if (seen && !deepEqual(seen, principal))
          throw new Error(`haplo spec: the seeded examples disagree about principal ${principal.id}`);
        byId.set(principal.id, principal as HaploUser);
      }
    }
    documentedCache = [...byId.values()].sort((a, b) => a.id - b.id);
  }
  return structuredClone(documentedCache);
}
let documentedCache: HaploUser[] | undefined;

const isPerson = (p: HaploUser | HaploRecord) => !p.isGroup && !p.isServiceUser;

/**
 * The documented principals first, with their documented ids: the groups and the service user
 * always, the people counting towards `users` (the first `users` of them, in id order, when there
 * are more). Then the standard groups the documented ones do not already provide, and faker people
 * up to `users`, all numbered after the highest documented id. The admin key belongs to the first
 * person in the API's group, the standard key to the first person outside it: with the spec's
 * examples, Priya Shah (128) and Alice Smith (131). Never fewer than those two people.
 */
export function seed({ faker, users: asked }: SeedOptions): HaploState {
  // The people the two keys belong to always exist, whatever was asked.
  const users = Math.max(asked, 2);
  const keys = { admin: faker.string.alphanumeric(40), standard: faker.string.alphanumeric(40), byKey: {} };
  const documented = documentedPrincipals();
  const documentedPeople = documented.filter(isPerson).slice(0, users);
  const seeded = documented.filter((p) => !isPerson(p) || documentedPeople.includes(p));
  const state = new HaploState(Math.max(0, ...documented.map((p) => p.id)) + 1, keys);
  // Group memberships are set once every group exists (standard groups are numbered after).
  for (const { directGroupMembership: _codes, ...principal } of seeded) state.put({ ...principal, groups: [] });

  const newGroup = (code: string | null, name: string) =>
    state.principals().find((p) => p.isGroup && (code === null ? p.code === null && p.name === name : p.code === code)) ??
    state.create({
      nameFirst: null,
      nameLast: null,
      name,
      code,
      email: null,
      ref: null,
      isGroup: true,
      isActive: true,
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: true,
      localeId: 'en',
      tags: {},
      groups: [],
    });
  newGroup(EVERYONE, 'Everyone');
  const administrators = newGroup(ADMINISTRATORS, 'Administrators');
  const apiGroup = newGroup(API_GROUP, 'API v0: User');
  // Named by the vendor's documented create example.
  newGroup('haplo:group:example', 'Example');
  // The teams faker people join: not the documented groups, whose members the examples list.
  const teams = [
    newGroup('haplo:group:staff', 'Staff'),
    newGroup('haplo:group:researchers', 'Researchers'),
    newGroup('haplo:group:research-admin', 'Research Administrators'),
    newGroup(null, 'Visiting Fellows'),
  ].filter((group) => !documented.some((p) => p.id === group.id));
  for (const { id, directGroupMembership } of seeded) {
    if (directGroupMembership.length) state.put({ ...state.get(id)!, groups: groupIdsFor(state, directGroupMembership) });
  }
  if (!state.principals().some((p) => p.code === 'haplo:service-user:api-v0:user')) {
    state.create({
      nameFirst: null,
      nameLast: null,
      name: 'API v0: User',
      code: 'haplo:service-user:api-v0:user',
      email: null,
      ref: null,
      isGroup: false,
      isActive: true,
      isSuperUser: false,
      isServiceUser: true,
      isAnonymous: false,
      localeId: 'en',
      tags: {},
      groups: [apiGroup.id],
    });
  }

  const departments = ['finance', 'research', 'library', 'estates', 'registry'];
  // Without documented people, the first faker person is the admin and the second a standard user.
  for (let i = documentedPeople.length; i < users; i++) {
    const nameFirst = faker.person.firstName();
    const nameLast = faker.person.lastName();
    const local = unique(
      `${slug(nameFirst) || 'user'}.${slug(nameLast) || i}`,
      (c) => state.findByEmail(`${c}@example.ac.uk`) !== undefined,
    );
    const tags: Record<string, string> = {};
    if (i < 2 || faker.datatype.boolean({ probability: 0.8 })) {
      tags.username = unique(slug(`${nameFirst.charAt(0)}${nameLast}`) || 'user', (c) => state.findByUsername(c) !== undefined);
    }
    if (faker.datatype.boolean({ probability: 0.6 })) tags.department = faker.helpers.arrayElement(departments);
    const groups =
      i === 0
        ? [apiGroup.id, administrators.id]
        : i === 1
          ? teams.slice(0, 1).map((g) => g.id)
          : faker.helpers.arrayElements(teams, { min: 0, max: 2 }).map((g) => g.id);
    state.create({
      nameFirst,
      nameLast,
      name: `${nameFirst} ${nameLast}`,
      code: null,
      email: `${local}@example.ac.uk`,
      ref: null,
      isGroup: false,
      isActive: i < 2 || !faker.datatype.boolean({ probability: 0.1 }),
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: false,
      localeId: 'en',
      tags,
      groups,
    });
  }
  const people = state.principals().filter((p) => isPerson(p) && p.isActive);
  const admin = people.find((p) => state.isMember(p, API_GROUP));
  const standard = people.find((p) => !state.isMember(p, API_GROUP));
  if (admin) state.keys.byKey[state.keys.admin] = admin.id;
  if (standard) state.keys.byKey[state.keys.standard] = standard.id;
  return state;
}
