/* What the preload tests share: running a program under the shim (or without it)
 * with a chosen environment, a fixture holding a fresh run directory and the
 * event file read back as lines, and queries over those lines. */
#ifndef APITRACE_PRELOAD_FIXTURE_H
#define APITRACE_PRELOAD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The shim, the directory of test programs and the event validator, set by
 * run_preload_tests from the build directory. */
extern char shim[4096], programs[4096], validator[4200];

struct run {
    pid_t pid;
    int status;
    char out[8192];
    char err[4096];
};

struct env_setting {
    const char *preload; /* NULL: no LD_PRELOAD */
    const char *dir;     /* NULL: APITRACE_DIR unset */
    const char *cwd;     /* NULL: ours */
    const char *extra;   /* one more NAME=value, or NULL */
};

/* Runs argv with exactly the given LD_PRELOAD / APITRACE_DIR, capturing its
 * stdout and stderr. */
void run(const char *const argv[], struct env_setting env, struct run *r);
int exit_code(const struct run *r);
/* Names of the files in dir, sorted. */
int list_dir(const char *dir, char names[][256], int max);
/* The event file <pid>-native-<seq>.jsonl, split in lines; NULL if absent. */
char *event_lines(const char *dir, pid_t pid, unsigned seq, char **lines, int max, int *count);

/* One preload test's set-up: a fresh run directory, the program to run,
 * the event file read back as lines, and the clean-up. */
#define FIXTURE_MAX_LINES 20000

struct fixture {
    char *dir;
    char prog[4200];
    struct run r;
    char *text;
    char *lines[FIXTURE_MAX_LINES];
    int count;
};

/* The one fixture (large: one at a time); program NULL: none of ours. */
struct fixture *fixture_begin(const char *program);
/* Runs argv (argv[0] NULL: the fixture's program) under the shim. */
void fixture_run_env(struct fixture *f, const char *argv[], const char *extra_env);
#define fixture_run(f, ...) fixture_run_env((f), (const char *[]){ __VA_ARGS__, NULL }, NULL)
/* Reads <pid>-native-<seq>.jsonl; returns its line count (0 if absent). */
int fixture_read(struct fixture *f, pid_t pid, unsigned seq);
void fixture_end(struct fixture *f);

/* Lines holding every one of the given substrings (NULLs ignored). */
int lines_with(const struct fixture *f, const char *a, const char *b, const char *c);
const char *line_with(const struct fixture *f, const char *a, const char *b, const char *c);
/* Sum of "count" over the api_usage records of api whose caller is caller
 * (any caller when NULL), with and without a subject. */
long long usage_sum(const struct fixture *f, const char *api, const char *caller);
/* The first record whose "stack" names no stack record earlier in the same
 * file (the contract: a stack is written before its first use), else NULL. */
const char *unresolved_stack_ref(const struct fixture *f);
/* The calling site of the first record holding a and b: the unit and offset
 * of the frame of the stack it refers to. */
bool calling_site(const struct fixture *f, const char *a, const char *b, char *unit, size_t unit_size,
                  unsigned long *offset);
/* Every record of every file in the run dir against the schema, through the
 * core's compiled validator; NULL when valid, else why not. */
const char *fixture_invalid(const struct fixture *f);

void expect_process_start(const char *line, pid_t pid, pid_t ppid, unsigned seq, const char *origin);
void expect_process_end(const char *line, int code, int line_count);
/* The file of one process image, whole: process_start first, process_end
 * last with the right exit code and record count. */
void expect_whole_file(const struct fixture *f, pid_t pid, pid_t ppid, const char *origin, int code);

/* The preload groups, one per file, run by run_preload_tests. */
void run_preload_process_tests(void);
void run_preload_invisible_tests(void);
void run_preload_attribution_tests(void);
void run_hook_table_tests(void);

#endif
