// Every generic check, by the name `--only` takes, with its meaning and needs beside it. Checks
// that only one API has live with its profile (`contracts/apis/<api>.ts`).
import type { ApiProfile } from '../apis/profile.ts';
import { expectationCheck, type CheckInfo, type ResponseCheck } from './check.ts';
import { GENERIC_BODY_CHECKS, WIRE_CHECKS } from './response.ts';
import { modelAgreement } from '../model/check.ts';
import { CHECK } from './names.ts';

const stateful = { stateful: true, writes: true } as const;

/** Checks of what the drivers expected of the requests they sent, worded with the API's unique key. */
const expectationChecks = (uniqueKey: string): CheckInfo[] => [
  expectationCheck(CHECK.create_read_back, 'a created user reads back with every field sent, computed ones too', stateful),
  expectationCheck(CHECK.created_listed, 'a created user appears in the list', stateful),
  expectationCheck(CHECK.list_integrity, 'the list names each user once', stateful),
  expectationCheck(CHECK.duplicate_conflict, `a duplicate ${uniqueKey} gets the documented conflict`, stateful),
  expectationCheck(CHECK.update_persisted, 'an update is answered and persisted; fields not sent stay unchanged', stateful),
  expectationCheck(CHECK.unknown_id_not_found, 'a user id nobody has gets the documented 404', { stateful: true }),
  expectationCheck(CHECK.delete_effective, 'a deleted or blocked user stays so', stateful),
  expectationCheck(CHECK.negative_data_rejection, 'a body breaking a rule the vendor enforces gets the documented 4xx', { writes: true }),
  expectationCheck(CHECK.positive_data_acceptance, 'valid bodies, also with non-ASCII names, are accepted', { writes: true }),
  expectationCheck(CHECK.auth_required, 'a request without credentials gets the documented refusal'),
  expectationCheck(CHECK.invalid_credentials_refused, 'a credential no server issued gets the documented refusal', { stateful: true }),
  expectationCheck(CHECK.admin_required, 'a non-admin gets 403 on admin-only operations', { stateful: true }),
  expectationCheck(CHECK.path_forms, 'the documented forms of a path (a trailing slash) answer alike'),
  expectationCheck(CHECK.provoked_status, 'a request built to get a documented status gets it', { stateful: true }),
  // A run of refusals (a credential gone stale, a gateway answering for the API) is not a pass.
  expectationCheck(CHECK.operation_success, 'a well-formed request to each operation the run may call succeeds'),
  // The specs' examples as contracts (contracts/drivers/examples.ts): read-only and stateless runs send what they may.
  expectationCheck(
    CHECK.example_pairs,
    "each documented request example gets its paired response's status, and the fields the example answer shows that the request determined",
  ),
  // Semantic conformance: the vendor's executable model (usermock) answers the same generated sequences alike.
  modelAgreement,
];

/** The checks of one API, response checks in the order they judge an answer: the wire, the API's own, then the generic body checks. */
export function checksOf(profile: ApiProfile): Array<CheckInfo | ResponseCheck> {
  const own = profile.checks;
  return [
    ...expectationChecks(profile.uniqueKey ?? 'email'),
    ...own.filter((check) => check.kind === 'expectation'),
    ...WIRE_CHECKS,
    ...own.filter((check) => check.kind === 'response'),
    ...GENERIC_BODY_CHECKS,
  ];
}

export const isResponseCheck = (check: CheckInfo): check is ResponseCheck => check.kind === 'response';
