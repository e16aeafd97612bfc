// Semantic conformance: generated sequences of requests, answered by the server under test and by
// usermock (the vendor's executable model) in lockstep.
export { DEFAULT_MODEL_RUNS, MODEL_CHECKS, modelAgreement } from './check.ts';
export { modelBased } from './engine.ts';
