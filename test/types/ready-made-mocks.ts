// Checked by `tsc` (npm test), never run: the ready-made `mock` of every entry point is typed per
// API like `createMock()`'s, and the APIs' answers are exported by name, derived from the specs.
// Each `@ts-expect-error` is an error tsc must find; if the types stopped finding it, tsc would fail.
import type {
  AmaniLogin,
  AmaniRecord,
  AmaniRole,
  AmaniUser,
  HaploGroup,
  HaploRecord,
  HaploUser,
  HoopGroup,
  HoopGroupNames,
  HoopRecord,
  HoopUser,
  HoopUserInfo,
} from '../../mocks/index.ts';
import { mock as browserMock, createMockWorker } from '../../mocks/browser.ts';
import { mock as mswMock } from '../../mocks/msw.ts';
import { mock as nodeMock, createMockServer } from '../../mocks/node.ts';

// The same typed mock from each entry point (usermock/msw, usermock/node, usermock/browser).
export const fromMsw = () => mswMock.state('hoop').findByEmail('jane@example.com')?.groups;
export const fromNode = () => nodeMock.state('amani').findByEmail('selin.kaya@example.com')?.groups;
export const fromBrowser = () => browserMock.state('haplo').findByEmail('alice@example.ac.uk')?.id;
export const ownServer = () => createMockServer().mock.state('hoop').findByEmail('x@example.com');
export const ownWorker = () => createMockWorker().mock.state('haplo').principals();

// @ts-expect-error no API of that name (the message lists "hoop" | "amani" | "haplo")
export const noSuchApi = () => nodeMock.state('nope');
// @ts-expect-error no API of that name, on the MSW entry point's mock too
export const noSuchApiMsw = () => mswMock.credentials().nope;
// @ts-expect-error hoop's state has no principals
export const wrongState = () => browserMock.state('hoop').principals();
export const overridden = () => nodeMock.override('hoop', 'listUsers', 401);
// @ts-expect-error not one of hoop's operation ids (the message lists them)
export const typo = () => nodeMock.override('hoop', 'whatever', 401);
// @ts-expect-error an operation of another API
export const otherApi = () => mswMock.override('haplo', 'listUsers', 500);
// @ts-expect-error a typo'd API name on override
export const typoApi = () => browserMock.override('hop', 'listUsers', 500);
// @ts-expect-error Amani's create body has no nameFirst
export const wrongField = () => nodeMock.addUser('amani', { nameFirst: 'Ada' });

// The answers' types, as the API shows them.
declare const hoopUser: HoopUser;
export const role: 'admin' | 'standard' | 'unregistered' | undefined = hoopUser.role;
export const email: string = hoopUser.email;
declare const info: HoopUserInfo;
export const tenancy: 'selfhosted' | 'multitenant' = info.tenancy_type;
declare const group: HoopGroup;
export const groupName: string = group.name;
declare const groupNames: HoopGroupNames;
export const noGroups: string[] | null = groupNames;
declare const amaniUser: AmaniUser;
export const roles: AmaniRole[] = amaniUser.groups;
export const permissions: string[] = amaniUser.permissions;
declare const login: AmaniLogin;
export const access: string = login.access;
declare const haploUser: HaploUser;
export const memberOf: string[] = haploUser.directGroupMembership;
declare const haploGroup: HaploGroup;
export const isGroup: boolean = haploGroup.isGroup;

// What the mock stores is another type: hoop's record has no role (it follows from the groups),
// Amani's holds role ids, Haplo's group ids.
declare const hoopRecord: HoopRecord;
// @ts-expect-error a stored hoop user has no role
export const storedRole = hoopRecord.role;
declare const amaniRecord: AmaniRecord;
export const roleIds: number[] = amaniRecord.groups;
declare const haploRecord: HaploRecord;
export const groupIds: number[] = haploRecord.groups;
export const recordOf = (): HoopRecord | undefined => nodeMock.state('hoop').findByEmail('jane@example.com');
