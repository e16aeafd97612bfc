// `usermock/contracts`: the conformance suite as a library. It needs no test runner; for vitest,
// `defineContractSuite` is in `usermock/contracts/vitest`.
export { runContract, runContractChecks, exitCodeOf, type RunReport } from './run.ts';
export { checkNames, validateOptions, UsageError, type ContractOptions } from './options.ts';
export { CredentialError } from './drivers/credentials.ts';
export { InfrastructureError } from './transport.ts';
export type { CheckResult, Failure } from './verdict.ts';
export type { Exchange } from './exchange.ts';
export { renderReport, renderFailure, summaryLine } from './report/text.ts';
export { reportText, type ReportFormat } from './report/files.ts';
// The parts of a contract profile of one's own (README: "Adding an API").
export { defineContractProfile, type ContractProfileDefinition } from './apis/define.ts';
export type { ApiProfile, BodyTarget, CreatedUser, ExampleValues, Identity, Provocation, Update } from './apis/profile.ts';
export { CHECK, type CheckName, type GenericCheckName, type OwnCheckName } from './checks/names.ts';
export type { Call, ReceivedResponse } from './exchange.ts';
export type { RunContext } from './drivers/context.ts';
export type { DataFactory } from './data.ts';
export { responseCheck, expectationCheck, NOT_JUDGED } from './checks/check.ts';
