// SQL text for the record: every literal masked as `?` and every comment's text dropped (so no
// value reaches the event file), plus what the text says about how it was built. One linear
// scan per statement, the rules of docs/events.md (SQL masking), shared with the JVM agent
// through packages/core/schema/sql-masking-vectors.json. When the scan cannot tell whether text
// is a value (an unterminated literal, a backslash of unknown meaning), it masks to the end.
export interface SqlFacts {
  /** the SQL with every literal replaced by ? and every comment's text by ? */
  masked: string;
  /** the literal values as written (string contents with doubled quotes undoubled, numbers) */
  literals: string[];
  /** the text uses bind parameters ($1, ?, :name, @name, $name) */
  placeholders: boolean;
}

/** Which SQL the driver speaks; `any` masks what any of the others would read as a value. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'any';

const enum Backslash {
  Literal,
  Escape,
  Doubt,
}

interface DialectRules {
  /** a backslash in '...' (E'...' always escapes) */
  backslash: Backslash;
  /** "..." is a string (MySQL without ANSI_QUOTES), not a name */
  doubleQuotedStrings: boolean;
  dollarQuotes: boolean;
  hashComments: boolean;
  nestedComments: boolean;
  /** 2fa_codes is a name (MySQL), not the number 2 and a name */
  digitLeadingNames: boolean;
}

const RULES: Record<SqlDialect, DialectRules> = {
  postgres: {
    backslash: Backslash.Literal,
    doubleQuotedStrings: false,
    dollarQuotes: true,
    hashComments: false,
    nestedComments: true,
    digitLeadingNames: false,
  },
  mysql: { backslash: Backslash.Escape, doubleQuotedStrings: true, dollarQuotes: false, hashComments: true, nestedComments: false, digitLeadingNames: true },
  sqlite: {
    backslash: Backslash.Literal,
    doubleQuotedStrings: false,
    dollarQuotes: false,
    hashComments: false,
    nestedComments: false,
    digitLeadingNames: false,
  },
  any: { backslash: Backslash.Doubt, doubleQuotedStrings: true, dollarQuotes: true, hashComments: true, nestedComments: true, digitLeadingNames: false },
};

// PostgreSQL's identifier limit; a longer dollar tag is masked to the end rather than searched for.
const MAX_DOLLAR_TAG = 63;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
const isNameChar = (c: number): boolean => isNameStart(c) || isDigit(c) || c === 36;

/** Masks `sql` as `dialect` reads it; literal values go to `literals` when given. */
export function maskSql(sql: string, dialect: SqlDialect, literals?: string[]): { masked: string; placeholders: boolean } {
  const rules = RULES[dialect];
  const n = sql.length;
  let out = '';
  let copied = 0;
  let placeholders = false;

  const mask = (start: number, end: number, replacement: string): void => {
    out += sql.slice(copied, start) + replacement;
    copied = end;
  };
  const nameEnd = (j: number): number => {
    while (j < n && isNameChar(sql.charCodeAt(j))) j++;
    return j;
  };
  const digitsFrom = (j: number): number => {
    while (j < n && (isDigit(sql.charCodeAt(j)) || (sql.charCodeAt(j) === 95 && isDigit(sql.charCodeAt(j - 1)) && isDigit(sql.charCodeAt(j + 1))))) j++;
    return j;
  };
  /** Where a quoted run whose body starts at bodyStart ends (after its closing quote); -1 when it never does. */
  const quotedEnd = (bodyStart: number, quote: number, backslash: Backslash): number => {
    let j = bodyStart;
    while (j < n) {
      const c = sql.charCodeAt(j);
      if (c === 92 && backslash !== Backslash.Literal) {
        if (backslash === Backslash.Doubt) return -1;
        j += 2;
      } else if (c === quote) {
        if (sql.charCodeAt(j + 1) !== quote) return j + 1;
        j += 2;
      } else {
        j++;
      }
    }
    return -1;
  };
  /** A string literal from `start` (its prefix included) whose body starts at bodyStart. */
  const stringLiteral = (start: number, bodyStart: number, backslash: Backslash): number => {
    const quote = sql.charCodeAt(bodyStart - 1);
    const closed = quotedEnd(bodyStart, quote, backslash);
    const end = closed < 0 ? n : closed;
    if (literals !== undefined) {
      const q = String.fromCharCode(quote);
      literals.push(
        sql
          .slice(bodyStart, closed < 0 ? n : closed - 1)
          .split(q + q)
          .join(q),
      );
    }
    mask(start, end, '?');
    return end;
  };
  /** A quoted name: kept when closed, masked to the end when not. */
  const quotedName = (start: number): number => {
    const closed = quotedEnd(start + 1, sql.charCodeAt(start), Backslash.Literal);
    if (closed >= 0) return closed;
    mask(start, n, '?');
    return n;
  };
  const lineComment = (start: number, marker: string): number => {
    let j = start;
    while (j < n && sql.charCodeAt(j) !== 10 && sql.charCodeAt(j) !== 13) j++;
    mask(start, j, `${marker} ?`);
    return j;
  };
  const blockComment = (start: number): number => {
    let depth = 1;
    let j = start + 2;
    while (j < n && depth > 0) {
      const c = sql.charCodeAt(j);
      if (c === 42 && sql.charCodeAt(j + 1) === 47) {
        depth--;
        j += 2;
      } else if (c === 47 && sql.charCodeAt(j + 1) === 42 && rules.nestedComments) {
        depth++;
        j += 2;
      } else {
        j++;
      }
    }
    mask(start, j, '/* ? */');
    return j;
  };
  const dollar = (start: number): number => {
    let j = start + 1;
    if (isDigit(sql.charCodeAt(j))) {
      placeholders = true;
      while (isDigit(sql.charCodeAt(j))) j++;
      return j;
    }
    if (rules.dollarQuotes && (sql.charCodeAt(j) === 36 || isNameStart(sql.charCodeAt(j)))) {
      while (j < n && sql.charCodeAt(j) !== 36 && (isNameStart(sql.charCodeAt(j)) || isDigit(sql.charCodeAt(j)))) j++;
      if (sql.charCodeAt(j) === 36) {
        const bodyStart = j + 1;
        const tagLength = j - start - 1;
        const close = tagLength > MAX_DOLLAR_TAG ? -1 : sql.indexOf(sql.slice(start, bodyStart), bodyStart);
        const end = close < 0 ? n : close + bodyStart - start;
        literals?.push(tagLength > MAX_DOLLAR_TAG ? sql.slice(start + 1) : sql.slice(bodyStart, close < 0 ? n : close));
        mask(start, end, '?');
        return end;
      }
      j = start + 1;
    }
    if (isNameStart(sql.charCodeAt(j))) {
      placeholders = true;
      while (j < n && isNameChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      return j;
    }
    return j;
  };
  const number = (start: number): number => {
    const c = sql.charCodeAt(start);
    const radix = c === 48 ? sql.charCodeAt(start + 1) | 0x20 : 0;
    let j: number;
    if (radix === 0x78 && isHexDigit(sql.charCodeAt(start + 2))) {
      j = start + 2;
      while (isHexDigit(sql.charCodeAt(j))) j++;
    } else if (radix === 0x62 && (sql.charCodeAt(start + 2) === 48 || sql.charCodeAt(start + 2) === 49)) {
      j = start + 2;
      while (sql.charCodeAt(j) === 48 || sql.charCodeAt(j) === 49) j++;
    } else if (radix === 0x6f && sql.charCodeAt(start + 2) >= 48 && sql.charCodeAt(start + 2) <= 55) {
      j = start + 2;
      while (sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 55) j++;
    } else {
      j = digitsFrom(start);
      if (sql.charCodeAt(j) === 46) j = digitsFrom(j + 1);
      if ((sql.charCodeAt(j) | 0x20) === 0x65) {
        const sign = sql.charCodeAt(j + 1) === 43 || sql.charCodeAt(j + 1) === 45 ? 1 : 0;
        if (isDigit(sql.charCodeAt(j + 1 + sign))) j = digitsFrom(j + 1 + sign);
      }
    }
    if (rules.digitLeadingNames && j < n && isNameChar(sql.charCodeAt(j))) return nameEnd(j);
    literals?.push(sql.slice(start, j));
    mask(start, j, '?');
    return j;
  };
  const word = (start: number): number => {
    const j = nameEnd(start + 1);
    if (j === start + 1) {
      const letter = sql.charCodeAt(start) | 0x20;
      const next = sql.charCodeAt(j);
      if (next === 39) {
        if (letter === 0x65) return stringLiteral(start, j + 1, Backslash.Escape);
        if (letter === 0x6e || letter === 0x78 || letter === 0x62) return stringLiteral(start, j + 1, rules.backslash);
      } else if (letter === 0x75 && next === 38 && sql.charCodeAt(j + 1) === 39) {
        return stringLiteral(start, j + 2, rules.backslash);
      }
    }
    return j;
  };

  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === 39) i = stringLiteral(i, i + 1, rules.backslash);
    else if (c === 34) i = rules.doubleQuotedStrings ? stringLiteral(i, i + 1, rules.backslash) : quotedName(i);
    else if (c === 96) i = quotedName(i);
    else if (c === 45 && next === 45) i = lineComment(i, '--');
    else if (c === 35 && rules.hashComments) i = lineComment(i, '#');
    else if (c === 47 && next === 42) i = blockComment(i);
    else if (c === 36) i = dollar(i);
    else if (c === 63) {
      placeholders = true;
      i++;
      while (isDigit(sql.charCodeAt(i))) i++; // SQLite's ?NNN
    } else if (c === 58 && next === 58) i += 2;
    else if ((c === 58 || c === 64) && isNameStart(next)) {
      placeholders = true;
      i = nameEnd(i + 1);
    } else if (isDigit(c) || (c === 46 && isDigit(next))) i = number(i);
    else if (isNameStart(c)) i = word(i);
    else i++;
  }
  return { masked: out === '' ? sql : out + sql.slice(copied), placeholders };
}

export function sqlFacts(sql: string, dialect: SqlDialect): SqlFacts {
  const literals: string[] = [];
  const { masked, placeholders } = maskSql(sql, dialect, literals);
  return { masked, literals, placeholders };
}
