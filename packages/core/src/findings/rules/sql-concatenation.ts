import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const sqlConcatenation: FindingRule = {
  id: 'sql-concatenation',
  title: 'SQL built by string concatenation',
  severity: 'high',
  cwe: ['CWE-89'],
  explanation:
    'The SQL text of this statement carried literal values and no placeholders, built from the arguments of the calling function. ' +
    'A value that contains a quote changes the statement itself (SQL injection): reading other rows, changing data, sometimes running commands.',
  fix: 'Use placeholders (? or $1) and pass the values as bound parameters (prepare(...).get(value), PreparedStatement.setString, sqlite3_bind_*).',
  match: (o) => o.flags.has('concatenated_sql'),
  message: (o) => `${o.api} runs SQL built from strings${stringArg(o, 'sql') ? `: ${stringArg(o, 'sql')}` : ''} in ${frameText(callingFrame(o))}`,
  groupKey: (o) => `${o.component}\0${o.api}\0${stringArg(o, 'sql') ?? ''}`,
};
