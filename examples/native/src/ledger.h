#ifndef LEDGER_H
#define LEDGER_H

#include <sqlite3.h>

/* Opens a fresh database file at db_path and loads the accounts CSV into it. 0 on success. */
int ledger_load(const char *db_path, const char *csv_path, sqlite3 **db);

/* The balance of one account by name, looked up with a prepared statement; -1 when unknown. */
long ledger_balance(sqlite3 *db, const char *name);

/* The sum of all balances. */
long ledger_total(sqlite3 *db);

#endif
