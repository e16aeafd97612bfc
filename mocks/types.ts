// The APIs' answers as TypeScript types, by name, for a frontend's code and tests: each one is
// derived from the types openapi-typescript generates from the specs
// (`usermock/specs/generated/<api>.types.ts`, `components['schemas']…`), never written by hand, so
// a change to a spec changes them. What the mock stores is another type (`HoopRecord`,
// `AmaniRecord`, `HaploRecord`: `mock.state(api)`'s rows), not what a client sees.
import type { components as HoopComponents } from '../specs/generated/hoop.types.ts';
import type { components as AmaniComponents } from '../specs/generated/amani.types.ts';
import type { components as HaploComponents } from '../specs/generated/haplo.types.ts';

type Hoop = HoopComponents['schemas'];
type Amani = AmaniComponents['schemas'];
type Haplo = HaploComponents['schemas'];

/** A hoop user as the API shows it (`GET /api/users`, `GET /api/users/{emailOrID}`, create and update): with its `role`. Spec: `UserResponse`. */
export type HoopUser = Hoop['UserResponse'];
/** hoop's `GET /api/userinfo`: the caller's user plus the organisation's and gateway's settings. Spec: `openapi.UserInfo`. */
export type HoopUserInfo = Hoop['openapi.UserInfo'];
/** A hoop group as `POST /api/users/groups` takes and answers it. Spec: `openapi.UserGroup`. */
export type HoopGroup = Hoop['openapi.UserGroup'];
/** hoop's `GET /api/users/groups`: the organisation's group names, `null` when it has none. Spec: `GroupNames`. */
export type HoopGroupNames = Hoop['GroupNames'];
/** hoop's user status. Spec: `openapi.StatusType`. */
export type HoopStatus = Hoop['openapi.StatusType'];
/** hoop's error body. Spec: `openapi.HTTPError`. */
export type HoopError = Hoop['openapi.HTTPError'];

/** An Amani user as create and update answer it: roles expanded, permissions computed. Spec: `User`. */
export type AmaniUser = Amani['User'];
/** An Amani role (a Django permission group), as `GET /api/v2/group` lists it and a user's `groups` show it. Spec: `Role`. */
export type AmaniRole = Amani['Role'];
/** Amani's `POST /api/v2/user/login` answer: the user and its two tokens. Spec: `LoginResponse`. */
export type AmaniLogin = Amani['LoginResponse'];
/** Amani's error body for a token or permission error. Spec: `ErrorDetail`. */
export type AmaniError = Amani['ErrorDetail'];

/** A Haplo principal as the API shows it (`user` in its envelopes): a person, a service user or a group. Spec: `User`. */
export type HaploUser = Haplo['User'];
/** A Haplo group: a principal with `isGroup: true`, as `GET /api/v0-user/group/{groupcode}` shows it. Spec: `GroupDetailsResponse.group`. */
export type HaploGroup = Haplo['GroupDetailsResponse']['group'];
/** Haplo's `GET /api/v0-user/group/{groupcode}` envelope: the group and its active members' ids. Spec: `GroupDetailsResponse`. */
export type HaploGroupDetails = Haplo['GroupDetailsResponse'];
/** Haplo's `GET /api/v0-user/id/{id}` envelope. Spec: `UserDetailsResponse`. */
export type HaploUserDetails = Haplo['UserDetailsResponse'];
