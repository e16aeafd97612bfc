// The MSW path: node:http handing each request to the usermock MSW handlers via msw's getResponse.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { handlers } from '../mocks/msw.ts';

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? Buffer.concat(chunks) : undefined;
};

const server = createServer(async (request, response) => {
  const body = request.method === 'GET' ? undefined : await readBody(request);
  const fetchRequest = new Request(`http://${request.headers.host}${request.url}`, {
    method: request.method,
    headers: request.headers as Record<string, string>,
    body,
  });
  const answer = await getResponse(handlers, fetchRequest);
  if (!answer) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  console.log(`at http://127.0.0.1:${(server.address() as AddressInfo).port}`),
);
