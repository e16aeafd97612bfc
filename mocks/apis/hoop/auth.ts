// hoop's gateway middleware: a bearer token of an active user, and the `admin` group for the
// routes the spec marks `x-required-role: admin`. Both refusals are `{"message":"access denied"}`.
import type { Gate } from '../../core/access.ts';
import { roleOf, type HoopState, type HoopRecord } from './state.ts';
import { accessDenied } from './wire.ts';

const BEARER = /^Bearer (\S+)$/;

export const gate: Gate<HoopState, HoopRecord> = {
  authenticate(request, state) {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const caller = token === undefined ? undefined : state.caller(token);
    return caller ? { caller } : { refused: accessDenied(401) };
  },
  permits: (caller, requirement) => requirement.role !== 'admin' || roleOf(caller) === 'admin',
  forbidden: () => accessDenied(403),
};
