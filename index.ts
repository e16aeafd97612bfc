// `usermock`, the package's main entry: the mock (`mocks/index.ts`: createMock, the built-in API
// modules, their types) and what adding an API of one's own needs besides — `loadSpec` and
// `defineApiModule` from there, `defineContractProfile` from the contract suite (whose runner is
// `usermock/contracts`). The MSW entries (`usermock/msw`, `/node`, `/browser`) carry the mock only.
export * from './mocks/index.ts';
export { defineContractProfile, type ContractProfileDefinition } from './contracts/apis/define.ts';
