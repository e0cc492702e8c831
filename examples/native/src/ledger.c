// The database half of the native example: a CSV read with stdio, loaded into an
// SQLite file with prepared statements (bound parameters, so no SQL-from-strings finding).
#define _POSIX_C_SOURCE 200809L // strtok_r: strtok is not reentrant and counts as an unsafe string function
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAME_MAX_LEN = 32 };

static int exec_sql(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "native example: sqlite: %s\n", error ? error : "unknown error");
        sqlite3_free(error);
        return -1;
    }
    return 0;
}

static int insert_row(sqlite3_stmt *insert, const char *line) {
    char copy[128];
    if (strlen(line) >= sizeof copy) return -1;
    // strcpy on purpose: the unsafe_string finding this example documents. The length is
    // checked just above, so it cannot overflow; the finding is about the API, not this call.
    strcpy(copy, line);
    char *rest = NULL;
    char *id = strtok_r(copy, ",", &rest);
    char *name = strtok_r(NULL, ",", &rest);
    char *balance = strtok_r(NULL, ",\n", &rest);
    if (!id || !name || !balance || strlen(name) >= NAME_MAX_LEN) return -1;
    sqlite3_bind_int(insert, 1, atoi(id));
    sqlite3_bind_text(insert, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 3, atol(balance));
    int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    return rc == SQLITE_DONE ? 0 : -1;
}

int ledger_load(const char *db_path, const char *csv_path, sqlite3 **db) {
    FILE *csv = fopen(csv_path, "r");
    if (!csv) {
        perror(csv_path);
        return -1;
    }
    if (sqlite3_open(db_path, db) != SQLITE_OK
        || exec_sql(*db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, balance INTEGER NOT NULL)") != 0) {
        fclose(csv);
        return -1;
    }
    sqlite3_stmt *insert = NULL;
    int rc = sqlite3_prepare_v2(*db, "INSERT INTO accounts (id, name, balance) VALUES (?, ?, ?)", -1, &insert, NULL);
    char line[256];
    int header = 1;
    while (rc == SQLITE_OK && fgets(line, sizeof line, csv)) {
        if (header) {
            header = 0;
            continue;
        }
        if (insert_row(insert, line) != 0) rc = SQLITE_ERROR;
    }
    sqlite3_finalize(insert);
    fclose(csv);
    return rc == SQLITE_OK ? 0 : -1;
}

long ledger_balance(sqlite3 *db, const char *name) {
    sqlite3_stmt *query = NULL;
    long balance = -1;
    if (sqlite3_prepare_v2(db, "SELECT balance FROM accounts WHERE name = ?", -1, &query, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(query, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(query) == SQLITE_ROW) balance = (long)sqlite3_column_int64(query, 0);
    sqlite3_finalize(query);
    return balance;
}

long ledger_total(sqlite3 *db) {
    sqlite3_stmt *query = NULL;
    long total = -1;
    if (sqlite3_prepare_v2(db, "SELECT SUM(balance) FROM accounts", -1, &query, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(query) == SQLITE_ROW) total = (long)sqlite3_column_int64(query, 0);
    sqlite3_finalize(query);
    return total;
}
