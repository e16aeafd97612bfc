// What `usermock serve --apis` and `usermock check --apis` load: the SCIM API's mock and its profile.
import { scim } from './module.ts';
import { scimProfile } from './profile.ts';

export default [{ mock: scim, profile: scimProfile }];
