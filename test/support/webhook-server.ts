// Starts `apitrace webhook serve` for the end-to-end tests and waits for the port it listens on.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './paths.js';
import { cleanEnv } from './processes.js';

/** Runs `apitrace webhook serve <args> --host 127.0.0.1 --port 0`; every stderr chunk goes to onLog. */
export async function startWebhookServer(args: readonly string[], onLog: (text: string) => void): Promise<{ server: ChildProcess; port: number }> {
  const server = spawn(process.execPath, [CLI, 'webhook', 'serve', ...args, '--host', '127.0.0.1', '--port', '0'], {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    server.stderr!.setEncoding('utf8');
    server.stderr!.on('data', (d: string) => {
      log += d;
      onLog(d);
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`webhook exited ${code}: ${log}`)));
  });
  return { server, port };
}

/** Sends SIGTERM to a running server and returns its exit status. */
export function stopWebhookServer(server: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  return exited;
}
