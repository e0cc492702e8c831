// SQL text for the record: string and numeric literals masked as `?` (so no value reaches the
// event file), plus what the text says about how it was built.
export interface SqlFacts {
  /** the SQL with every literal replaced by ? */
  masked: string;
  /** the literal values as written (string contents, numbers) */
  literals: string[];
  /** the text uses bind parameters ($1, ?, :name, @name) */
  placeholders: boolean;
}

// One pass: quoted strings ('' escapes), quoted identifiers, comments, placeholders, numbers.
const TOKEN = /'((?:[^']|'')*)'|"(?:[^"]|"")*"|`[^`]*`|--[^\n]*|\/\*[\s\S]*?\*\/|(\$\d+|\?|(?<!:):[A-Za-z_]\w*|@[A-Za-z_]\w*)|(?<![\w$.])(-?\d+(?:\.\d+)?)(?![\w.])/g;

export function sqlFacts(sql: string): SqlFacts {
  const literals: string[] = [];
  let placeholders = false;
  const masked = sql.replace(TOKEN, (match, str: string | undefined, placeholder: string | undefined, num: string | undefined) => {
    if (str !== undefined) {
      literals.push(str.replace(/''/g, "'"));
      return '?';
    }
    if (placeholder !== undefined) {
      placeholders = true;
      return match;
    }
    if (num !== undefined) {
      literals.push(num);
      return '?';
    }
    return match;
  });
  return { masked, literals, placeholders };
}
