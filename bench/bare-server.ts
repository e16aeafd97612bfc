// The physical ceiling: node:http answering a constant JSON body, nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({
  id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  email: 'jsmith@example.com',
  name: 'John Wick',
  groups: ['sre'],
  role: 'standard',
  status: 'active',
});
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  console.log(`at http://127.0.0.1:${(server.address() as AddressInfo).port}`),
);
