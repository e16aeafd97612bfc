#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { serve } from './serve.ts';

const integer = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
};

const program = new Command('usermock')
  .description('Specs, a stateful mock and a conformance suite for the hoop.dev, Amani and Haplo user APIs')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('serve')
  .description('serve the stateful mock of all three APIs on one origin')
  .option('--port <port>', 'port to listen on', integer, 4010)
  .option('--host <host>', 'address to bind (use 0.0.0.0 to expose it beyond this machine)', '127.0.0.1')
  .option('--seed <n>', 'faker seed: the same seed gives the same data', integer)
  .option('--users <n>', 'users seeded per API', integer)
  .option('--state-file <file>', 'load state from this file and make every write durable in it')
  .option('--latency <ms|min-max>', 'delay every answer by a fixed or random time')
  .action(serve);

await program.parseAsync();
