import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const worldWritableFile: FindingRule = {
  id: 'world-writable-file',
  title: 'World-writable file created',
  severity: 'medium',
  cwe: ['CWE-732'],
  explanation:
    'A file created or chmod-ed with write permission for others (o+w, e.g. 0666 or 0777 with a permissive umask) can be changed by every ' +
    'local user and every other service: configuration, scripts and data in it can be replaced.',
  fix: 'Create files with 0600 or 0644 (directories 0700 or 0755), and never chmod o+w; share with a group (0660) where sharing is needed.',
  match: (o) => o.flags.has('world_writable'),
  message: (o) =>
    `${o.api} makes ${stringArg(o, 'path') ?? o.subject ?? 'a file'} world-writable${stringArg(o, 'mode') ? ` (mode ${stringArg(o, 'mode')})` : ''} in ${frameText(callingFrame(o))}`,
  groupKey: (o) => `${o.component}\0${o.api}\0${stringArg(o, 'path') ?? o.subject ?? ''}`,
};
