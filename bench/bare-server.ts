// The physical limit for a mock: node:http sending the very same bytes as usermock (status,
// headers, body), captured from usermock's answers beforehand (`bench/same-bytes.ts`), and doing
// nothing else: a map lookup by method and URL, one writeHead, one end. Node adds Date, Connection
// and Keep-Alive itself, as it does for usermock (the same keepAliveTimeout, so the same bytes).
// Without an answers file (`node bare-server.ts PORT`), it answers one constant JSON body.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer as captured: status, headers in order (name, value, name, value …), body. */
export interface Captured {
  method: string;
  url: string;
  status: number;
  headers: string[];
  body: string;
}

const file = process.argv[3];
const answers = new Map<string, { status: number; headers: string[]; body: Buffer }>();
if (file) {
  for (const answer of JSON.parse(readFileSync(file, 'utf8')) as Captured[]) {
    answers.set(`${answer.method} ${answer.url}`, { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body) });
  }
}
const constant = Buffer.from(
  JSON.stringify({
    id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    email: 'jsmith@example.com',
    name: 'John Wick',
    groups: ['sre'],
    role: 'standard',
    status: 'active',
  }),
);
const fallback = {
  status: 200,
  headers: ['content-type', 'application/json; charset=utf-8', 'content-length', String(constant.length)],
  body: constant,
};

const server = createServer((request, response) => {
  const answer = file ? answers.get(`${request.method} ${request.url}`) : fallback;
  if (!answer) {
    response.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
});
// As `usermock serve` (mocks/server.ts): the Keep-Alive header carries it.
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  console.log(`at http://127.0.0.1:${(server.address() as AddressInfo).port}`),
);
// An orderly exit on Ctrl-C, so that `node --cpu-prof` writes its profile.
process.once('SIGINT', () => process.exit(0));
