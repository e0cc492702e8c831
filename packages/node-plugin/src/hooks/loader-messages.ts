// What the ESM hooks thread tells the thread that registered it, over one MessagePort.
import type { MessagePort } from 'node:worker_threads';
import type { CacheLocation } from '../transform/transform-cache.js';

export interface LoaderSetup {
  port: MessagePort;
  cache: CacheLocation;
  /** file: URL prefixes never transformed nor reported: the plugin itself and its hook libraries. */
  excludedUrlPrefixes: string[];
}

export type LoaderMessage =
  | { type: 'ready' }
  /** file: URLs loaded since the previous message: one message per batch, not per module */
  | { type: 'modules_loaded'; urls: string[] }
  | { type: 'transform_notice'; url: string; code: 'transform_failed' | 'transform_skipped'; message: string }
  | { type: 'wrap_notice'; url: string; message: string }
  /** the transform cache created this directory (own_activity), or cannot be written */
  | { type: 'cache_created'; dir: string }
  | { type: 'cache_unusable'; dir: string; message: string };
