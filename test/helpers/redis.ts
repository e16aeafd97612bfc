// A real Redis (Debian's redis-server, found on PATH) for the tests of `usermock serve --store`: on
// a free loopback port of its own, in a temp dir of its own, with every write fsynced to its
// append-only file — so it can be stopped or killed and started again with its data (or, asked
// for, with no persistence at all: started again, it is empty).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servicePath } from './services.ts';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Its data dir (the append-only file lives there). */
  dir: string;
  /** SIGTERM, then waits for it to exit (a no-op when it is not running). */
  stop(): Promise<void>;
  /** SIGKILL, then waits for it to exit (a no-op when it is not running). */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (so with its data, when it keeps any), and waits for PONG. */
  start(): Promise<void>;
  /** SIGSTOP: it stops answering, connections stay open (a stall). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops it and removes its dir: for afterAll/finally. */
  dispose(): Promise<void>;
  /** What it printed, for failure messages. */
  output(): string;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One raw `PING` over TCP: whether the answer is `+PONG`. */
export function ping(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

// Redis servers still running, killed if the test process exits without stopping them (a run
// interrupted mid-test must not leave a redis-server behind).
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts a Redis of the tests' own. Throws, saying how to install it, when redis-server is not on
 * PATH: the suites that call it declare `needs('redis-server')` to be skipped there instead.
 */
export async function startRedis(options: { persistence?: 'aof' | 'none' } = {}): Promise<RedisServer> {
  const appendonly = options.persistence === 'none' ? 'no' : 'yes';
  const redisServer = servicePath('redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'usermock-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const start = async () => {
    if (child) throw new Error(`redis-server on port ${port} is already running`);
    const args = [
      '--bind', '127.0.0.1',
      '--port', String(port),
      '--dir', dir,
      '--appendonly', appendonly,
      '--appendfsync', 'always',
      '--save', '',
      '--protected-mode', 'yes',
      '--daemonize', 'no',
    ]; // prettier-ignore
    const started = spawn(redisServer, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    running.add(started);
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        running.delete(started);
        if (child === started) child = undefined;
        resolve();
      }),
    );
    const spawnError = new Promise<never>((_, reject) => started.once('error', reject));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await Promise.race([ping(port), spawnError])) return;
      if (child !== started) throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
      if (Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const signal = async (name: NodeJS.Signals) => {
    const running = child;
    if (!running) return;
    const done = exited;
    running.kill(name);
    await done;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    dispose: async () => {
      child?.kill('SIGCONT'); // a paused one would not handle SIGTERM
      await signal('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    output: () => output,
  };
}
