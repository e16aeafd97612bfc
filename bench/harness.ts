// What every part of the bench shares: server processes timed to their first answer, the load
// generator (autocannon, in the bench's process), and medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface Server {
  url: string;
  startupMs: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a server process and measures process start → first HTTP answer on `probePath`. */
export async function start(command: string, args: (port: number) => string[], probePath = '/'): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(command, args(port), { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    try {
      await fetch(url + probePath);
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`${command} ${args(port).join(' ')} exited early`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return {
    url,
    startupMs: performance.now() - started,
    process: child,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The server process's CPU time (user + system) per answer, in µs, when its pid was given (Linux). */
  cpuUs?: number;
}

/** A process's CPU time so far (user + system), in ms; undefined where /proc is not there. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 (utime, stime), in clock ticks (100 a second on Linux), after the command's parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Loads `url` with one request for `duration` seconds. Throughput depends on the load generator's
 * share of this machine too; the server's own CPU time per answer (with `pid`) does not.
 */
export async function load(url: string, request: autocannon.Request, duration: number, connections: number, pid?: number): Promise<Load> {
  const before = cpuMs(pid);
  const result = await autocannon({ url, connections, duration, requests: [request] });
  const after = cpuMs(pid);
  const answered = result.requests.total;
  return {
    // Every request answered over the time the load ran (a 1-s load has one per-second sample only).
    rps: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    ...(before !== undefined && after !== undefined && answered > 0 ? { cpuUs: ((after - before) * 1000) / answered } : {}),
  };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
