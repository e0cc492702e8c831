// The native example: a ledger kept in SQLite, loaded from a CSV file, whose status
// is checked over TLS on the loopback interface, with a session token made the wrong
// way on purpose. It prints a fixed report and exits 0.
//
//   build/ledger [accounts.csv]     (default: ../data/accounts.csv beside the binary)
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "tls_loopback.h"

/*
 * rand() for a secret on purpose: the weak_random finding (with secret_context, from this
 * function's name) this example documents. A real token would come from getrandom().
 */
static void make_session_token(char *token, size_t size) {
    static const char hex[] = "0123456789abcdef";
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (size_t i = 0; i + 1 < size; i++) token[i] = hex[rand() % 16];
    token[size - 1] = '\0';
}

static int default_csv_path(char *path, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return -1;
    exe[n] = '\0';
    return snprintf(path, size, "%s/../data/accounts.csv", dirname(exe)) < (int)size ? 0 : -1;
}

int main(int argc, char **argv) {
    char csv_path[PATH_MAX];
    if (argc > 1) {
        snprintf(csv_path, sizeof csv_path, "%s", argv[1]);
    } else if (default_csv_path(csv_path, sizeof csv_path) != 0) {
        fprintf(stderr, "native example: cannot find the accounts file (pass its path as the first argument)\n");
        return 1;
    }

    const char *tmp = getenv("TMPDIR");
    char work_dir[PATH_MAX];
    snprintf(work_dir, sizeof work_dir, "%s/apitrace-native-example-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(work_dir)) {
        perror("native example: making a temporary directory");
        return 1;
    }
    char db_path[PATH_MAX + 16];
    snprintf(db_path, sizeof db_path, "%s/ledger.db", work_dir);

    int status = 1;
    sqlite3 *db = NULL;
    struct tls_loopback *server = NULL;
    if (ledger_load(db_path, csv_path, &db) != 0) goto done;
    printf("accounts loaded: total balance %ld\n", ledger_total(db));
    printf("balance of bob: %ld\n", ledger_balance(db, "bob"));

    char token[17];
    make_session_token(token, sizeof token);
    printf("session token: %zu hex characters\n", strlen(token));

    server = tls_loopback_start();
    if (!server) goto done;
    char body[256];
    int http_status = tls_get(tls_loopback_port(server), "/status", body, sizeof body);
    int served = tls_loopback_finish(server);
    server = NULL;
    if (http_status < 0 || served != 0) goto done;
    printf("tls status check: %d %s", http_status, body);
    status = 0;
done:
    if (server) tls_loopback_finish(server);
    sqlite3_close(db);
    unlink(db_path);
    rmdir(work_dir);
    return status;
}
