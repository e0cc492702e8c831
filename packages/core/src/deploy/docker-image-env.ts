// What an image already sets in apitrace's variables (its ENV lines), read with
// `docker image inspect`, so that `-e NODE_OPTIONS=...` keeps the image's own options.
import { execFile } from 'node:child_process';
import { INJECTED_VARIABLES, type InjectedVariable } from './container-environment.js';

export type ImageEnvResult = { ok: true; env: Partial<Record<InjectedVariable, string>> } | { ok: false; why: string };

export function imageEnvironment(image: string, hostEnv: NodeJS.ProcessEnv): Promise<ImageEnvResult> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['image', 'inspect', '--format', '{{json .Config.Env}}', '--', image],
      { env: hostEnv, timeout: 30_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why = (stderr.trim().split('\n').at(-1) || err.message).trim();
          resolve({ ok: false, why });
          return;
        }
        try {
          const list = JSON.parse(stdout) as unknown;
          const env: Partial<Record<InjectedVariable, string>> = {};
          if (Array.isArray(list)) {
            for (const entry of list) {
              if (typeof entry !== 'string') continue;
              const eq = entry.indexOf('=');
              const name = eq >= 0 ? entry.slice(0, eq) : entry;
              if ((INJECTED_VARIABLES as readonly string[]).includes(name)) env[name as InjectedVariable] = entry.slice(eq + 1);
            }
          }
          resolve({ ok: true, env });
        } catch {
          resolve({ ok: false, why: `unexpected output of docker image inspect: ${stdout.slice(0, 200)}` });
        }
      },
    );
  });
}
