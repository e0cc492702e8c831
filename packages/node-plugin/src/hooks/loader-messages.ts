// What the ESM hooks thread tells the thread that registered it, over one MessagePort.
import type { MessagePort } from 'node:worker_threads';

export interface LoaderSetup {
  port: MessagePort;
  cacheDir: string;
  /** file: URL prefixes never transformed: the plugin itself. */
  excludedUrlPrefixes: string[];
}

export type LoaderMessage =
  | { type: 'ready' }
  /** file: URLs loaded since the previous message: one message per batch, not per module */
  | { type: 'modules_loaded'; urls: string[] }
  | { type: 'transform_notice'; url: string; code: 'transform_failed' | 'transform_skipped'; message: string }
  | { type: 'wrap_notice'; url: string; message: string };
