// Builds the example page into examples/browser/dist/ (git-ignored) and serves it as static
// files: the service worker answers the API calls, so the server needs no API routes.
//   npx tsx examples/browser/serve.ts [--port 5173]
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const outdir = join(here, 'dist');
const require = createRequire(import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface ExampleServer {
  url: string;
  close(): Promise<void>;
}

/** Bundles main.ts (it imports `usermock/browser`, so run `npm run build` first) next to the page and MSW's worker script. */
export async function buildExample(): Promise<string> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    // tsconfig.json maps `usermock/browser` to the source for type-checking only; the page must
    // use the built package, as an app would.
    tsconfigRaw: {},
  });
  await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
  // The worker script must match the installed msw version, so it is copied, never committed.
  await copyFile(require.resolve('msw/mockServiceWorker.js'), join(outdir, 'mockServiceWorker.js'));
  return outdir;
}

/** Builds the page and serves it on `host` (loopback by default) and `port` (any free one by default). */
export async function serveExample({ port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<ExampleServer> {
  const root = await buildExample();
  const server = createServer(async (request, response) => {
    try {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const path = resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`);
      const type = CONTENT_TYPES[extname(path)];
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !path.startsWith(root + sep) || !type) throw new Error('not served');
      const body = await readFile(path);
      response
        .writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' })
        .end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(port, host, done));
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actualPort}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '5173' }, host: { type: 'string', default: '127.0.0.1' } } });
  const { url } = await serveExample({ port: Number(values.port), host: values.host });
  console.log(`usermock browser example at ${url}  (Ctrl-C to stop)`);
}
