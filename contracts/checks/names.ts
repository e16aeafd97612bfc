// The names of the generic checks, as `--only` takes them: one constant shared by the drivers that
// feed a check, the check's declaration and the verdict, so that a misspelt name does not compile.

export const CHECK = {
  // The life of a user (drivers/lifecycle.ts).
  create_read_back: 'create_read_back',
  created_listed: 'created_listed',
  list_integrity: 'list_integrity',
  duplicate_conflict: 'duplicate_conflict',
  update_persisted: 'update_persisted',
  unknown_id_not_found: 'unknown_id_not_found',
  delete_effective: 'delete_effective',
  // Request bodies (drivers/data.ts).
  negative_data_rejection: 'negative_data_rejection',
  positive_data_acceptance: 'positive_data_acceptance',
  // Credentials and roles (drivers/auth.ts).
  auth_required: 'auth_required',
  invalid_credentials_refused: 'invalid_credentials_refused',
  admin_required: 'admin_required',
  // Reaching every operation and status (drivers/coverage.ts, drivers/examples.ts).
  path_forms: 'path_forms',
  provoked_status: 'provoked_status',
  operation_success: 'operation_success',
  example_pairs: 'example_pairs',
  // The model-based phase (model/).
  model_agreement: 'model_agreement',
  // Checks of every answer (checks/response.ts).
  not_a_server_error: 'not_a_server_error',
  status_code_conformance: 'status_code_conformance',
  content_type_conformance: 'content_type_conformance',
  response_schema_conformance: 'response_schema_conformance',
  header_conformance: 'header_conformance',
  no_secrets_in_answers: 'no_secrets_in_answers',
} as const;

/** The name of a generic check. */
export type GenericCheckName = (typeof CHECK)[keyof typeof CHECK];

declare const own: unique symbol;

/**
 * The name of a check only one API's profile has (`caller_identity`): it comes from the check's
 * declaration (`expectationCheck`, `responseCheck`), so that what feeds it names it by that
 * declaration, never by a string typed again.
 */
export type OwnCheckName = string & { readonly [own]: true };

/** The name of a check: a generic one, or a profile's own. */
export type CheckName = GenericCheckName | OwnCheckName;

/** The name a check declared with `name` has: the generic one it is, else a profile's own. */
export type NameOf<N extends string> = N extends GenericCheckName ? N : OwnCheckName;
