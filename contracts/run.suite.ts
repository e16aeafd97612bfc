// The test file `usermock check` hands to vitest: the options come from the command line.
import { defineContractSuite } from './suite.ts';
import type { ContractOptions } from './runner.ts';

defineContractSuite(JSON.parse(process.env.USERMOCK_CHECK_OPTIONS ?? '{}') as ContractOptions);
