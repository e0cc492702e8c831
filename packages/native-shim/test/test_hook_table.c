/* Table-driven: every row of hook_table.def is called once by the
 * every_hook program under the shim, and each must show up in the run's
 * event files as a record of its API. One test per row, generated from the
 * table itself, so a new row is tested without writing a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preload_fixture.h"
#include "test_harness.h"

static const char *const apis[] = {
#define HOOK(ns, name, category, shape, flags, ret, params, args) #ns ":" #name,
#define HOOK_V HOOK
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
};

enum { API_COUNT = sizeof apis / sizeof apis[0] };

/* Rows that are hooked but, by design, never recorded; the test checks
 * they stay unrecorded, so starting to record one means updating this. */
static const struct {
    const char *api, *why;
} not_recorded[] = {
    { "libc:umask", "tracked only, so that the create and chmod hooks never call umask themselves" },
};

static const char *why_not_recorded(const char *api)
{
    for (size_t i = 0; i < sizeof not_recorded / sizeof not_recorded[0]; i++)
        if (strcmp(not_recorded[i].api, api) == 0)
            return not_recorded[i].why;
    return NULL;
}

/* Every event file of the run directory, concatenated. */
static char *all_events(const char *dir)
{
    static char names[256][256];
    int n = list_dir(dir, names, 256);
    size_t len = 0;
    char *all = calloc(1, 1);
    for (int i = 0; i < n; i++) {
        char path[4600];
        size_t add;
        snprintf(path, sizeof path, "%.4000s/%.255s", dir, names[i]);
        char *text = read_file(path, &add);
        if (text == NULL)
            continue;
        all = realloc(all, len + add + 1);
        memcpy(all + len, text, add + 1);
        len += add;
        free(text);
    }
    return all;
}

void run_hook_table_tests(void)
{
    struct fixture *f = fixture_begin("every_hook");
    char *work = make_temp_dir(), want[128];
    fixture_run(f, NULL, work);
    char *events = all_events(f->dir);
    snprintf(want, sizeof want, "called %d\n", API_COUNT);

    test_begin("hook table: every_hook calls each row's function once and exits 0");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, want) == 0, "exit %d, out %s, err %s", exit_code(&f->r), f->r.out,
           f->r.err);
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();

    for (int i = 0; i < API_COUNT; i++) {
        char name[300], api[128];
        const char *why = why_not_recorded(apis[i]);
        snprintf(api, sizeof api, "\"api\":\"%s\"", apis[i]);
        if (why != NULL) {
            snprintf(name, sizeof name, "hook table: %s is not recorded (%s)", apis[i], why);
            test_begin(name);
            EXPECT(strstr(events, api) == NULL, "a record with %s", api);
        } else {
            snprintf(name, sizeof name, "hook table: %s is recorded", apis[i]);
            test_begin(name);
            EXPECT(strstr(events, api) != NULL, "no record with %s", api);
        }
        test_end();
    }
    free(events);
    remove_tree(work);
    free(work);
    fixture_end(f);
}
