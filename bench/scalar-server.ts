// @scalar/mock-server on the hoop spec: a peer mock that answers from the spec's examples and
// schemas (the newest line needs Node 22; 0.3 is the last that runs on Node 20).
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { createMockServer } from '@scalar/mock-server';

const app = await createMockServer({ specification: readFileSync(new URL('../specs/hoop.openapi.yaml', import.meta.url), 'utf8') });
serve({ fetch: app.fetch, port: Number(process.argv[2] ?? 0), hostname: '127.0.0.1' });
