// Checked by `tsc` (npm test), never run: a mock's state and overrides are typed by its APIs.
// Each `@ts-expect-error` is an error tsc must find; if the types stopped finding it, tsc would fail.
import { createMock, hoop } from '../../mocks/index.ts';

const mock = createMock();

// Each API's own state type, with no cast.
export const hoopUsers: number = mock.state('hoop').users.size;
export const amaniCompany: string = mock.state('amani').company;
export const haploNext: number = mock.state('haplo').next;
// @ts-expect-error hoop's state has no principals
export const wrongState = () => mock.state('hoop').principals();
// @ts-expect-error no API of that name
export const noSuchApi = () => mock.state('hoops');

export const overridden = () => mock.override('hoop', 'listUsers', 401);
export const emptied = () => mock.override('haplo', 'findByTag', { empty: true, times: 1 });
// @ts-expect-error a typo'd operation id
export const typo = () => mock.override('hoop', 'listUser', 500);
// @ts-expect-error an operation of another API
export const otherApis = () => mock.override('amani', 'listUsers', 500);

// Factories give the API's create body, typed; their fields are checked.
export const admin: string = hoop.user({ role: 'admin' }).email;
// @ts-expect-error hoop has no such role
export const badRole = () => hoop.user({ role: 'owner' });
export const added = () => mock.addUser('amani', { groups: [2] });
// @ts-expect-error Amani's users have no nameFirst
export const wrongField = () => mock.addUser('amani', { nameFirst: 'Ada' });
