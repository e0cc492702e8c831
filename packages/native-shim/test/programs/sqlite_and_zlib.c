/* Test program: linked with libsqlite3 and libz, uses only sqlite. Every
 * malloc sqlite makes must be attributed to libsqlite3, none to libz. */
#include <sqlite3.h>
#include <stdio.h>

int main(void)
{
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 2;
    char *err = NULL;
    if (sqlite3_exec(db,
                     "create table t(a integer, b text);"
                     "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000)"
                     " insert into t select i, 'row ' || i from n;",
                     NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    sqlite3_close(db);
    puts("ok");
    return 0;
}
