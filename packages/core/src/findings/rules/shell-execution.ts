import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const shellExecution: FindingRule = {
  id: 'shell-execution',
  title: 'Command run through a shell',
  severity: 'high',
  cwe: ['CWE-78'],
  explanation:
    'A command string handed to a shell (sh -c, system(), popen(), child_process.exec, Runtime.exec with "sh -c") is parsed by the shell: ' +
    'any quote, semicolon, backtick or $() that reaches it from data runs as a command of its own (OS command injection).',
  fix: 'Run the program directly with an argument vector (execve/posix_spawn, child_process.execFile/spawn without shell: true, ProcessBuilder with separate arguments) and pass data only as arguments.',
  match: (o) => o.flags.has('shell'),
  message: (o) => {
    const command = stringArg(o, 'command');
    return `${o.api} runs ${command === undefined ? 'a command' : JSON.stringify(command)} through ${stringArg(o, 'program') ?? 'a shell'} in ${frameText(callingFrame(o))}`;
  },
  groupKey: (o) => `${o.component}\0${o.api}\0${stringArg(o, 'command') ?? o.subject ?? ''}`,
};
