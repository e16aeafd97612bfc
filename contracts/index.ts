export { CHECKS, ContractRun, runContractChecks, type CheckInfo, type CheckResult, type ContractOptions } from './runner.ts';
export { formatFailure, type Failure } from './failure.ts';
export { curlOf, type Exchange } from './exchange.ts';
export { defineContractSuite } from './suite.ts';
