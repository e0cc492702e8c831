/* End-to-end: real programs run under LD_PRELOAD=build/libapitrace.so. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitrace_version.h"
#include "test_harness.h"

extern char **environ;

static char shim[4096], programs[4096], validator[4200];

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

static void read_capture(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, cap - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* Runs argv with exactly the given LD_PRELOAD / APITRACE_DIR, capturing its
 * stdout and stderr. */
static void run(const char *const argv[], struct env_setting env, struct run *r)
{
    static char preload_var[4200], dir_var[4200];
    char *envp[256];
    int n = 0;
    for (char **e = environ; *e != NULL && n < 250; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "APITRACE_DIR=", 13) != 0)
            envp[n++] = *e;
    if (env.preload != NULL) {
        snprintf(preload_var, sizeof preload_var, "LD_PRELOAD=%s", env.preload);
        envp[n++] = preload_var;
    }
    if (env.dir != NULL) {
        snprintf(dir_var, sizeof dir_var, "APITRACE_DIR=%s", env.dir);
        envp[n++] = dir_var;
    }
    if (env.extra != NULL)
        envp[n++] = (char *)env.extra;
    envp[n] = NULL;

    int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (env.cwd != NULL && chdir(env.cwd) != 0)
            _exit(126);
        execve(argv[0], (char *const *)argv, envp);
        _exit(127);
    }
    r->pid = pid;
    r->status = -1;
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        ;
    read_capture(out, r->out, sizeof r->out);
    read_capture(err, r->err, sizeof r->err);
}

static int exit_code(const struct run *r)
{
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* Names of the files in dir, sorted. */
static int list_dir(const char *dir, char names[][256], int max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && n < max)
            snprintf(names[n++], 256, "%s", e->d_name);
    if (d != NULL)
        closedir(d);
    qsort(names, (size_t)n, 256, (int (*)(const void *, const void *))strcmp);
    return n;
}

/* The event file <pid>-native-<seq>.jsonl, split in lines; NULL if absent. */
static char *event_lines(const char *dir, pid_t pid, unsigned seq, char **lines, int max, int *count)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%d-native-%u.jsonl", dir, (int)pid, seq);
    char *text = read_file(path, NULL);
    *count = text != NULL ? split_lines(text, lines, max) : 0;
    return text;
}

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

static struct fixture fx; /* large: one at a time, static */

static struct fixture *fixture_begin(const char *program)
{
    struct fixture *f = &fx;
    memset(f, 0, sizeof *f);
    f->dir = make_temp_dir();
    if (program != NULL)
        snprintf(f->prog, sizeof f->prog, "%s/%s", programs, program);
    return f;
}

/* Runs argv (argv[0] NULL: the fixture's program) under the shim. */
static void fixture_run_env(struct fixture *f, const char *argv[], const char *extra_env)
{
    if (argv[0] == NULL)
        argv[0] = f->prog;
    run(argv, (struct env_setting){ shim, f->dir, NULL, extra_env }, &f->r);
}
#define fixture_run(f, ...) fixture_run_env((f), (const char *[]){ __VA_ARGS__, NULL }, NULL)

/* Reads <pid>-native-<seq>.jsonl; returns its line count (0 if absent). */
static int fixture_read(struct fixture *f, pid_t pid, unsigned seq)
{
    free(f->text);
    f->text = event_lines(f->dir, pid, seq, f->lines, FIXTURE_MAX_LINES, &f->count);
    return f->count;
}

static void fixture_end(struct fixture *f)
{
    free(f->text);
    f->text = NULL;
    remove_tree(f->dir);
    free(f->dir);
    f->dir = NULL;
}

/* Lines holding every one of the given substrings (NULLs ignored). */
static int lines_with(const struct fixture *f, const char *a, const char *b, const char *c)
{
    int n = 0;
    for (int i = 0; i < f->count; i++)
        if ((a == NULL || strstr(f->lines[i], a)) && (b == NULL || strstr(f->lines[i], b)) &&
            (c == NULL || strstr(f->lines[i], c)))
            n++;
    return n;
}

static const char *line_with(const struct fixture *f, const char *a, const char *b, const char *c)
{
    for (int i = 0; i < f->count; i++)
        if ((a == NULL || strstr(f->lines[i], a)) && (b == NULL || strstr(f->lines[i], b)) &&
            (c == NULL || strstr(f->lines[i], c)))
            return f->lines[i];
    return NULL;
}

/* Sum of "count" over the api_usage records of api whose caller is caller
 * (any caller when NULL), with and without a subject. */
static long long usage_sum(const struct fixture *f, const char *api, const char *caller)
{
    char want_api[128], want_caller[4300];
    snprintf(want_api, sizeof want_api, "\"api\":\"%s\"", api);
    if (caller != NULL)
        snprintf(want_caller, sizeof want_caller, "\"caller\":\"%s\"", caller);
    long long sum = 0, v;
    for (int i = 0; i < f->count; i++)
        if (strstr(f->lines[i], "{\"kind\":\"api_usage\"") == f->lines[i] && strstr(f->lines[i], want_api) &&
            (caller == NULL || strstr(f->lines[i], want_caller)) && json_int_field(f->lines[i], "count", &v))
            sum += v;
    return sum;
}

/* The first record whose "stack" names no stack record earlier in the
 * same file (the contract: a stack is written before its first use), else
 * NULL. */
static const char *unresolved_stack_ref(const struct fixture *f)
{
    for (int i = 0; i < f->count; i++) {
        long long id;
        if (strncmp(f->lines[i], "{\"kind\":\"stack\"", 16) == 0 || !json_int_field(f->lines[i], "stack", &id))
            continue;
        char want[64];
        snprintf(want, sizeof want, "{\"kind\":\"stack\",\"id\":%lld,", id);
        bool found = false;
        for (int j = 0; j < i && !found; j++)
            found = strncmp(f->lines[j], want, strlen(want)) == 0;
        if (!found)
            return f->lines[i];
    }
    return NULL;
}

/* The calling site of the first record holding a and b: the unit and offset
 * of the frame of the stack it refers to. */
static bool calling_site(const struct fixture *f, const char *a, const char *b, char *unit, size_t unit_size,
                         unsigned long *offset)
{
    const char *line = line_with(f, a, b, NULL);
    long long id;
    if (line == NULL || !json_int_field(line, "stack", &id))
        return false;
    char want[64];
    snprintf(want, sizeof want, "{\"kind\":\"stack\",\"id\":%lld,", id);
    const char *stack = line_with(f, want, NULL, NULL);
    const char *u = stack != NULL ? strstr(stack, "\"unit\":\"") : NULL;
    const char *addr = stack != NULL ? strstr(stack, "\"addr\":\"0x") : NULL;
    if (u == NULL || addr == NULL)
        return false;
    char format[32];
    snprintf(format, sizeof format, "%%%zu[^\"]", unit_size - 1);
    return sscanf(u + 8, format, unit) == 1 && sscanf(addr + 10, "%lx", offset) == 1;
}

/* Every record of every file in the run dir against the schema, through
 * the core's compiled validator; NULL when valid, else why not. */
static const char *fixture_invalid(const struct fixture *f)
{
    static char why[1024];
    char cmd[8600];
    snprintf(cmd, sizeof cmd, "node '%s' '%s'/*.jsonl 2>&1", validator, f->dir);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return "cannot run node";
    size_t n = fread(why, 1, sizeof why - 1, p);
    why[n] = '\0';
    int status = pclose(p);
    return status == 0 ? NULL : why;
}
static void expect_process_start(const char *line, pid_t pid, pid_t ppid, unsigned seq, const char *origin)
{
    long long v;
    char want[64];
    EXPECT(strncmp(line, "{\"kind\":\"process_start\",\"v\":1,\"source\":\"native\",", 48) == 0,
           "first line is not a native process_start: %.80s", line);
    EXPECT(json_int_field(line, "pid", &v) && v == pid, "pid %lld, want %d", v, (int)pid);
    EXPECT(json_int_field(line, "ppid", &v) && v == ppid, "ppid %lld, want %d", v, (int)ppid);
    EXPECT(json_int_field(line, "tid", &v) && v == pid, "tid %lld, want %d", v, (int)pid);
    EXPECT(json_int_field(line, "seq", &v) && v == seq, "seq %lld, want %u", v, seq);
    snprintf(want, sizeof want, "\"origin\":\"%s\"", origin);
    EXPECT(strstr(line, want) != NULL, "not %s", want);
    EXPECT(strstr(line, "\"runtime\":{\"name\":\"glibc\",\"version\":\"") != NULL, "no glibc runtime");
    EXPECT(strstr(line, "\"emitter\":{\"name\":\"libapitrace\",\"version\":\"" APITRACE_VERSION "\"}") != NULL, "no emitter");
    EXPECT(strstr(line, "\"wall\":\"20") != NULL && strstr(line, "Z\",\"exe\":\"/") != NULL,
           "wall or exe missing");
    EXPECT(line[strlen(line) - 1] == '}', "line does not end the object");
}

static void expect_process_end(const char *line, int code, int line_count)
{
    long long v;
    EXPECT(strncmp(line, "{\"kind\":\"process_end\",\"t\":", 26) == 0, "last line is not process_end: %.80s", line);
    EXPECT(strstr(line, "\"reason\":\"exit\"") != NULL, "reason not exit");
    EXPECT(json_int_field(line, "exit_code", &v) && v == code, "exit_code %lld, want %d", v, code);
    EXPECT(json_int_field(line, "records", &v) && v == line_count, "records %lld, file has %d lines", v, line_count);
    EXPECT(json_int_field(line, "dropped", &v) && v == 0, "dropped %lld", v);
}

static void test_exit_code(void)
{
    char *dir = make_temp_dir();
    struct run r;
    run((const char *const[]){ "/bin/sh", "-c", "exit 3", NULL }, (struct env_setting){ shim, dir, NULL, NULL }, &r);
    char *lines[64];
    int count;
    char *text = event_lines(dir, r.pid, 0, lines, 64, &count);

    /* dash's exit builtin leaves through _exit, not exit. */
    test_begin("preload: sh -c 'exit 3' exits 3 and records exit_code 3");
    EXPECT(exit_code(&r) == 3, "exit %d", exit_code(&r));
    EXPECT(count >= 2, "%d lines", count);
    if (count >= 2) {
        expect_process_start(lines[0], r.pid, getpid(), 0, "start");
        EXPECT(strstr(lines[0], "\"argv\":[\"/bin/sh\",\"-c\",\"exit 3\"]") != NULL, "argv wrong");
        expect_process_end(lines[count - 1], 3, count);
    }
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
}

static void test_argv_redacted(void)
{
    char *dir = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run r;
    run((const char *const[]){ prog, "0", "--password", "hunter2", "https://u:pw1@h/?token=t2", "\xff\n", NULL },
        (struct env_setting){ shim, dir, NULL, NULL }, &r);
    char *lines[16];
    int count;
    char *text = event_lines(dir, r.pid, 0, lines, 16, &count);

    test_begin("preload: argv is redacted and escaped before it reaches disk");
    EXPECT(count >= 1, "no file");
    EXPECT(text != NULL && strstr(text, "hunter2") == NULL && strstr(text, "pw1") == NULL &&
               strstr(text, "t2") == NULL,
           "a secret reached disk");
    EXPECT(count >= 1 && strstr(lines[0], "\"0\",\"--password\",\"***\",\"https://u:***@h/?token=***\","
                                          "\"\\ufffd\\n\"]}") != NULL,
           "argv: %s", count >= 1 ? strstr(lines[0], "\"argv\"") : "-");
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
}

/* A dir that cannot hold files: the program must behave exactly as without
 * the shim, with at most one line of explanation on stderr. */
static void test_unwritable(const char *name, const char *dir, const char *why)
{
    char prog[4200], want_err[4400];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run bare, traced;
    run((const char *const[]){ prog, "7", NULL }, (struct env_setting){ NULL, NULL, NULL, NULL }, &bare);
    run((const char *const[]){ prog, "7", NULL }, (struct env_setting){ shim, dir, NULL, NULL }, &traced);
    snprintf(want_err, sizeof want_err,
             "apitrace: native: cannot write events to %s: %s (recording off for this process)\n", dir, why);

    test_begin(name);
    EXPECT(exit_code(&traced) == 7 && exit_code(&bare) == 7, "exit %d", exit_code(&traced));
    EXPECT(strcmp(traced.out, bare.out) == 0, "stdout %s, without the shim %s", traced.out, bare.out);
    EXPECT(strcmp(traced.err, want_err) == 0, "stderr: %s", traced.err);
    test_end();
}

static void test_unwritable_fork(const char *dir)
{
    char prog[4200];
    snprintf(prog, sizeof prog, "%s/fork_and_wait", programs);
    struct run r;
    run((const char *const[]){ prog, NULL }, (struct env_setting){ shim, dir, NULL, NULL }, &r);
    const char *nl = strchr(r.err, '\n');

    test_begin("preload: unwritable dir: a forking program still prints one stderr line in all");
    EXPECT(exit_code(&r) == 0 && strncmp(r.out, "child=", 6) == 0, "exit %d, out %s", exit_code(&r), r.out);
    EXPECT(nl != NULL && nl[1] == '\0', "stderr: %s", r.err);
    test_end();
}

static void test_inert(const char *name, const char *dir_value)
{
    char *cwd = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run bare, traced;
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ NULL, NULL, cwd, NULL }, &bare);
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ shim, dir_value, cwd, NULL }, &traced);
    char names[4][256];

    test_begin(name);
    EXPECT(list_dir(cwd, names, 4) == 0, "a file appeared: %s", names[0]);
    EXPECT(traced.err[0] == '\0', "stderr: %s", traced.err);
    EXPECT(strcmp(traced.out, bare.out) == 0 && exit_code(&traced) == 0, "stdout %s", traced.out);
    test_end();
    remove_tree(cwd);
    free(cwd);
}

static void test_same_errno_and_fds(void)
{
    char *dir = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run bare, traced;
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ NULL, NULL, NULL, NULL }, &bare);
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ shim, dir, NULL, NULL }, &traced);

    test_begin("preload: main sees the same errno and fd numbers as without the shim");
    EXPECT(strcmp(traced.out, bare.out) == 0, "with the shim %s, without %s", traced.out, bare.out);
    EXPECT(traced.err[0] == '\0', "stderr: %s", traced.err);
    test_end();
    remove_tree(dir);
    free(dir);
}


/* The file of one process image, whole: process_start first, process_end
 * last with the right exit code and record count. */
static void expect_whole_file(const struct fixture *f, pid_t pid, pid_t ppid, const char *origin, int code)
{
    EXPECT(f->count >= 2, "%d lines", f->count);
    if (f->count >= 2) {
        expect_process_start(f->lines[0], pid, ppid, 0, origin);
        expect_process_end(f->lines[f->count - 1], code, f->count);
    }
}

static void test_true(void)
{
    struct fixture *f = fixture_begin(NULL);
    fixture_run(f, "/bin/true");
    char names[8][256], want[64], path[512];
    int n = list_dir(f->dir, names, 8);
    snprintf(want, sizeof want, "%d-native-0.jsonl", (int)f->r.pid);
    snprintf(path, sizeof path, "%s/%s", f->dir, want);
    fixture_read(f, f->r.pid, 0);
    struct stat st;

    test_begin("preload: /bin/true writes <pid>-native-0.jsonl, mode 0600, start, its code units, end");
    EXPECT(exit_code(&f->r) == 0 && f->r.err[0] == '\0', "exit %d, stderr %s", exit_code(&f->r), f->r.err);
    EXPECT(n == 1 && strcmp(names[0], want) == 0, "files: %d, first %s, want %s", n, n ? names[0] : "-", want);
    EXPECT(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode %o", (unsigned)(st.st_mode & 07777));
    expect_whole_file(f, f->r.pid, getpid(), "start", 0);
    if (f->count >= 2) {
        EXPECT(strstr(f->lines[0], "\"exe\":\"/usr/bin/true\"") || strstr(f->lines[0], "\"exe\":\"/bin/true\""),
               "exe not true: %.300s", f->lines[0]);
        EXPECT(strstr(f->lines[0], "\"argv\":[\"/bin/true\"]") != NULL, "argv wrong");
    }
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"startup\"", "\"path\":\"/usr/bin/true\"") == 1,
           "no code_unit for the executable under its real path");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"soname\":\"libc.so.6\"", "\"build_id\":\"") == 1,
           "no code_unit for libc with its build id");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"preload\"", "libapitrace.so") == 1,
           "the shim is not listed as preloaded");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_fork(void)
{
    struct fixture *f = fixture_begin("fork_and_wait");
    fixture_run(f, NULL);
    int child = 0;
    sscanf(f->r.out, "child=%d", &child);
    char names[8][256];
    int n = list_dir(f->dir, names, 8);

    test_begin("preload: a forked child writes its own file, origin fork, ppid the parent");
    EXPECT(exit_code(&f->r) == 0 && child > 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(n == 2, "%d files", n);
    fixture_read(f, f->r.pid, 0);
    expect_whole_file(f, f->r.pid, getpid(), "start", 0);
    fixture_read(f, child, 0);
    expect_whole_file(f, child, f->r.pid, "fork", 0);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "fork_and_wait", NULL) == 1,
           "the child's file does not list its executable");
    test_end();
    fixture_end(f);
}

static void test_fork_counts(void)
{
    struct fixture *f = fixture_begin("fork_counts");
    fixture_run(f, NULL);
    int child = 0;
    sscanf(f->r.out, "child=%d", &child);
    fixture_read(f, f->r.pid, 0);
    long long parent_mallocs = usage_sum(f, "libc:malloc", f->prog);
    int parent_opens = lines_with(f, "\"kind\":\"call\"", "\"path\":\"/etc/hostname\"", NULL);
    fixture_read(f, child, 0);
    long long child_mallocs = usage_sum(f, "libc:malloc", f->prog);
    int child_opens = lines_with(f, "/etc/hostname", NULL, NULL);

    test_begin("preload: fork: each file counts its own calls once, the parent's records stay in the parent");
    EXPECT(exit_code(&f->r) == 0 && child > 0, "exit %d", exit_code(&f->r));
    EXPECT(parent_mallocs == 107, "parent malloc count %lld, want 107", parent_mallocs);
    EXPECT(child_mallocs == 40, "child malloc count %lld, want 40", child_mallocs);
    EXPECT(parent_opens == 1 && child_opens == 0, "open call records: parent %d, child %d", parent_opens,
           child_opens);
    test_end();
    fixture_end(f);
}

/* A calling site the parent wrote to its file before fork is written again
 * in the child's: each file's stack ids stand on their own. */
static void test_fork_stacks(void)
{
    struct fixture *f = fixture_begin("fork_after_flush");
    fixture_run(f, NULL);
    int child = 0, opened = 0, status = -1;
    sscanf(f->r.out, "child=%d opened=%d status=%d", &child, &opened, &status);
    fixture_read(f, f->r.pid, 0);
    int parent_stacks = lines_with(f, "\"kind\":\"stack\"", f->prog, NULL);
    fixture_read(f, child, 0);
    const char *child_call = line_with(f, "\"kind\":\"call\",\"api\":\"libc:open", "/etc/hostname", NULL);
    const char *unresolved = unresolved_stack_ref(f);

    test_begin("preload: fork after a flush: the child's file has its own stack records for shared calling sites");
    EXPECT(exit_code(&f->r) == 0 && child > 0 && opened == 40 && status == 0, "exit %d, out %s",
           exit_code(&f->r), f->r.out);
    EXPECT(parent_stacks >= 1, "no calling site in the parent's file");
    EXPECT(child_call != NULL && strstr(child_call, "\"stack\":") != NULL, "the child's open has no stack: %.200s",
           child_call != NULL ? child_call : "(no call record)");
    EXPECT(unresolved == NULL, "the child refers to a stack its file lacks: %.200s", unresolved);
    test_end();
    fixture_end(f);
}

static void test_vfork(void)
{
    struct fixture *f = fixture_begin("vfork_and_exit");
    fixture_run(f, NULL);
    char names[8][256];
    int n = list_dir(f->dir, names, 8);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: vfork: the child's _exit does not end the parent's file; its use is noticed");
    EXPECT(exit_code(&f->r) == 0 && strstr(f->r.out, "status=5") != NULL, "exit %d, out %s", exit_code(&f->r),
           f->r.out);
    EXPECT(n == 1, "%d files", n);
    expect_whole_file(f, f->r.pid, getpid(), "start", 0);
    EXPECT(lines_with(f, "\"code\":\"vfork_not_wrapped\"", "vfork_and_exit", NULL) == 1,
           "no vfork_not_wrapped notice naming the program");
    test_end();
    fixture_end(f);
}

static void test_exec(void)
{
    struct fixture *f = fixture_begin(NULL);
    fixture_run(f, "/bin/sh", "-c", "exec /bin/true");
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: exec: the first image flushes its records, the second file has seq 1, origin exec");
    EXPECT(exit_code(&f->r) == 0, "exit %d", exit_code(&f->r));
    EXPECT(f->count >= 2, "first image: %d lines", f->count);
    if (f->count >= 1)
        expect_process_start(f->lines[0], f->r.pid, getpid(), 0, "start");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:execve\"", "\"program\":\"/bin/true\"", NULL) == 1,
           "no execve call record before the exec");
    EXPECT(lines_with(f, "process_end", NULL, NULL) == 0, "the replaced image claims to have exited");
    fixture_read(f, f->r.pid, 1);
    EXPECT(f->count >= 2, "second image: %d lines", f->count);
    if (f->count >= 2) {
        expect_process_start(f->lines[0], f->r.pid, getpid(), 1, "exec");
        EXPECT(strstr(f->lines[0], "\"argv\":[\"/bin/true\"]") != NULL, "argv of the new image wrong");
        expect_process_end(f->lines[f->count - 1], 0, f->count);
    }
    test_end();
    fixture_end(f);
}

static void test_long_argv(void)
{
    enum { ARGS = 20000 };
    static const char *argv[ARGS + 2];
    static char args[ARGS][16];
    argv[0] = "/bin/true";
    for (int i = 0; i < ARGS; i++) {
        snprintf(args[i], sizeof args[i], "argument%05d", i);
        argv[i + 1] = args[i];
    }
    struct fixture *f = fixture_begin(NULL);
    fixture_run_env(f, argv, NULL);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: a huge argv is cut at a whole argument, with an argv_truncated notice");
    EXPECT(exit_code(&f->r) == 0, "exit %d", exit_code(&f->r));
    expect_whole_file(f, f->r.pid, getpid(), "start", 0);
    if (f->count >= 2) {
        const char *first = f->lines[0];
        size_t len = strlen(first);
        EXPECT(strstr(first, "\"argument00000\",\"argument00001\"") != NULL, "first arguments missing");
        EXPECT(len > 20 && first[len - 3] == '"' && strcmp(first + len - 2, "]}") == 0 &&
                   memcmp(first + len - 17, "\"argument", 9) == 0,
               "record does not end with a whole argument: ...%s", first + len - 20);
        EXPECT(strstr(f->lines[1], "\"kind\":\"notice\",\"level\":\"warn\",\"code\":\"argv_truncated\"") != NULL,
               "no notice right after process_start: %.100s", f->lines[1]);
    }
    test_end();
    fixture_end(f);
}

/* The core joins api_usage and call records to code units on caller ==
 * path: the malloc calls sqlite makes belong to libsqlite3, none to libz
 * (linked, never called). */
static void test_caller_attribution(void)
{
    struct fixture *f = fixture_begin("sqlite_and_zlib");
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);
    const char *unit = line_with(f, "\"kind\":\"code_unit\"", "\"soname\":\"libsqlite3.so.0\"", NULL);
    char sqlite_path[1024] = "";
    if (unit != NULL)
        sscanf(strstr(unit, "\"path\":\"") + 8, "%1023[^\"]", sqlite_path);
    long long from_sqlite = usage_sum(f, "libc:malloc", sqlite_path);

    test_begin("preload: caller attribution: sqlite's mallocs are libsqlite3's, libz (unused) calls nothing");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(sqlite_path[0] == '/', "no code_unit for libsqlite3");
    EXPECT(from_sqlite > 2000, "malloc from %s: %lld", sqlite_path, from_sqlite);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"soname\":\"libz.so.1\"", NULL) == 1, "libz not listed loaded");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\"", "\"caller\":\"/lib/x86_64-linux-gnu/libz.so", NULL) +
                   lines_with(f, "\"kind\":\"api_usage\"", "\"caller\":\"/usr/lib/x86_64-linux-gnu/libz.so", NULL) ==
               0,
           "usage attributed to libz");
    EXPECT(lines_with(f, "\"caller\":\"[unknown]\"", NULL, NULL) == 0, "unknown callers");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", f->prog, "\"needed\":[") == 1 &&
               lines_with(f, "\"kind\":\"code_unit\"", f->prog, "\"libz.so.1\"") == 1,
           "the executable's DT_NEEDED does not list libz");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_threads_exact(void)
{
    struct fixture *f = fixture_begin("hammer_threads");
    fixture_run(f, NULL, "20000", "300");
    fixture_read(f, f->r.pid, 0);
    long long mallocs = usage_sum(f, "libc:malloc", f->prog), frees = usage_sum(f, "libc:free", f->prog);
    long long opens = usage_sum(f, "libc:open", f->prog);

    test_begin("preload: 64 threads hammering malloc and open: every call counted exactly once");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(mallocs == 64 * 20000, "malloc %lld, want %d", mallocs, 64 * 20000);
    EXPECT(frees == 64 * 20000, "free %lld, want %d", frees, 64 * 20000);
    EXPECT(opens == 64 * 300, "open %lld, want %d", opens, 64 * 300);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:open\"", "\"path\":\"/dev/null\"", NULL) <= 8,
           "more than 8 call records for one (api, caller, subject)");
    EXPECT(f->count > 0 && strstr(f->lines[f->count - 1], "process_end") != NULL, "no process_end");
    test_end();
    fixture_end(f);
}

static void test_signal_reentry(void)
{
    struct fixture *f = fixture_begin("signal_reentry");
    fixture_run(f, NULL, "30000");
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: a signal handler calling hooked functions inside our hooks neither deadlocks nor breaks");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok handled=1\n") == 0, "exit %d, out %s",
           exit_code(&f->r), f->r.out);
    EXPECT(usage_sum(f, "libc:open", f->prog) >= 30000, "open count %lld", usage_sum(f, "libc:open", f->prog));
    EXPECT(f->count > 0 && strstr(f->lines[f->count - 1], "process_end") != NULL, "no process_end");
    test_end();
    fixture_end(f);
}

/* Output (every return value and errno) identical with and without us. */
static void test_same_results(void)
{
    struct fixture *f = fixture_begin("same_results");
    char *work = make_temp_dir();
    struct run bare;
    run((const char *[]){ f->prog, work, NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL, work);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: return values and errno are exactly those of the real calls");
    EXPECT(exit_code(&bare) == 0 && exit_code(&f->r) == 0, "exit %d / %d", exit_code(&bare), exit_code(&f->r));
    EXPECT(strcmp(bare.out, f->r.out) == 0, "with the shim:\n%s\nwithout:\n%s", f->r.out, bare.out);
    EXPECT(strstr(bare.out, "dlsym next is default ret=1") != NULL, "RTLD_NEXT check did not hold bare");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:connect\"", "\"errno\":111", "\"peer\":\"127.0.0.1:1\"") ==
               1,
           "no failed connect record with errno 111");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:open\"", "\"path\":\"/nonexistent/x\"", "\"errno\":2") == 1,
           "no failed open record with errno 2");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    remove_tree(work);
    free(work);
    fixture_end(f);
}

/* The calling site of a counted call (rand) and of a described one
 * (system) is recorded as an offset in the program, inside the function
 * that made the call; no frame is the shim's own. */
static void test_calling_sites(void)
{
    struct fixture *f = fixture_begin("findings");
    char *work = make_temp_dir();
    fixture_run(f, NULL, work);
    fixture_read(f, f->r.pid, 0);
    unsigned long token_fn = 0, shell_fn = 0, rand_at = 0, system_at = 0;
    const char *p = strstr(f->r.out, "make_secret_token=");
    if (p != NULL)
        sscanf(p, "make_secret_token=%lx", &token_fn);
    p = strstr(f->r.out, "run_shell_command=");
    if (p != NULL)
        sscanf(p, "run_shell_command=%lx", &shell_fn);
    char rand_unit[4200] = "", system_unit[4200] = "";
    bool rand_site = calling_site(f, "\"kind\":\"api_usage\",\"api\":\"libc:rand\"", NULL, rand_unit,
                                  sizeof rand_unit, &rand_at);
    bool system_site = calling_site(f, "\"kind\":\"call\",\"api\":\"libc:system\"", NULL, system_unit,
                                    sizeof system_unit, &system_at);

    test_begin("preload: calling sites: rand and system are recorded at an offset inside the calling function");
    EXPECT(exit_code(&f->r) == 0 && token_fn != 0 && shell_fn != 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(rand_site && strcmp(rand_unit, f->prog) == 0, "rand: no stack in the program (%s)", rand_unit);
    EXPECT(rand_at > token_fn && rand_at < token_fn + 0x80, "rand called at 0x%lx, make_secret_token at 0x%lx",
           rand_at, token_fn);
    EXPECT(system_site && strcmp(system_unit, f->prog) == 0, "system: no stack in the program (%s)", system_unit);
    EXPECT(system_at > shell_fn && system_at < shell_fn + 0x80, "system called at 0x%lx, run_shell_command at 0x%lx",
           system_at, shell_fn);
    EXPECT(lines_with(f, "\"kind\":\"stack\"", "libapitrace.so", NULL) == 0, "a frame in the shim itself");
    const char *unresolved = unresolved_stack_ref(f);
    EXPECT(unresolved == NULL, "a record refers to a stack not written before it: %.200s", unresolved);
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    remove_tree(work);
    free(work);
    fixture_end(f);
}

static void test_findings(void)
{
    struct fixture *f = fixture_begin("findings");
    char *work = make_temp_dir();
    fixture_run(f, NULL, work);
    fixture_read(f, f->r.pid, 0);
    int port = 0;
    const char *p = strstr(f->r.out, "port=");
    if (p != NULL)
        port = atoi(p + 5);
    char peer[64];
    snprintf(peer, sizeof peer, "\"peer\":\"127.0.0.1:%d\"", port);
    char local[64];
    snprintf(local, sizeof local, "\"local\":\"127.0.0.1:%d\"", port);

    test_begin("preload: flags and arguments of security-relevant calls");
    EXPECT(exit_code(&f->r) == 0 && strstr(f->r.out, "dlopen=1") != NULL, "exit %d, out %s", exit_code(&f->r),
           f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:creat\"", "\"mode\":\"0666\"", "\"flags\":[\"world_writable\"]") == 1 &&
               lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:creat\"", "\"flags\":[\"world_writable\"]", NULL) == 1,
           "creat 0666 with umask 0: no world_writable call and usage");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:chmod\"", "\"mode\":\"0777\"", "world_writable") == 1,
           "chmod 0777: no world_writable");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:mmap\"", "\"prot\":\"rwx\"", "\"flags\":[\"wx_memory\"]") ==
               1,
           "no wx_memory mapping");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:system\"", "\"command\":\"exit 0\"", "\"shell\"") == 1,
           "system() without command and shell flag");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:rand\"", "\"flags\":[\"weak_random\"]", NULL) == 1,
           "rand without weak_random");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:strcpy\"", "\"flags\":[\"unsafe_string\"]", NULL) == 1,
           "strcpy without unsafe_string");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:getaddrinfo\"", "\"host\":\"localhost\"", NULL) == 1,
           "getaddrinfo host");
    /* bind asks for port 0; listen reports the port it got */
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:bind\"", "\"local\":\"127.0.0.1:0\"", NULL) == 1,
           "bind local");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:listen\"", local, NULL) == 1, "listen local");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:connect\"", peer, "\"result\":{\"ret\":0}") == 1,
           "connect peer %s", peer);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:accept\"", "\"peer\":\"127.0.0.1:", NULL) == 1,
           "accept peer");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:dlopen\"", "\"library\":\"libz.so.1\"", NULL) == 1,
           "dlopen library");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "\"soname\":\"libz.so.1\"") == 1,
           "libz not recorded as dlopen'd");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    remove_tree(work);
    free(work);
    fixture_end(f);
}

/* A scrubbed environment still gets LD_PRELOAD and APITRACE_DIR, unless
 * APITRACE_REINJECT=0. */
static void test_reinjection(const char *how, bool same_pid)
{
    char name[160];
    snprintf(name, sizeof name, "preload: %s with a scrubbed environment: the child is still recorded", how);
    struct fixture *f = fixture_begin("start_scrubbed");
    fixture_run(f, NULL, how);
    int child = same_pid ? f->r.pid : 0;
    const char *c = strstr(f->r.out, "child=");
    if (c != NULL)
        child = atoi(c + 6);
    fixture_read(f, child, same_pid ? 1 : 0);
    test_begin(name);
    EXPECT(exit_code(&f->r) == 0 && child > 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(f->count >= 2 && strstr(f->lines[0], "\"argv\":[\"/bin/true\"]") != NULL,
           "no file for /bin/true (pid %d, %d lines)", child, f->count);
    test_end();
    fixture_end(f);

    if (strcmp(how, "execve") != 0)
        return;
    f = fixture_begin("start_scrubbed");
    fixture_run_env(f, (const char *[]){ NULL, how, NULL }, "APITRACE_REINJECT=0");
    char names[8][256];
    test_begin("preload: APITRACE_REINJECT=0: a scrubbed environment is left as the program made it");
    EXPECT(exit_code(&f->r) == 0, "exit %d", exit_code(&f->r));
    EXPECT(list_dir(f->dir, names, 8) == 1, "%d files", list_dir(f->dir, names, 8));
    test_end();
    fixture_end(f);
}

static void test_dlopen_keeps_caller(void)
{
    struct fixture *f = fixture_begin("dlopen_runpath");
    struct run bare;
    run((const char *[]){ f->prog, NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: dlopen searches the calling program's RUNPATH as without the shim");
    EXPECT(strcmp(bare.out, "answer=42\n") == 0, "bare: %s", bare.out);
    EXPECT(strcmp(f->r.out, "answer=42\n") == 0, "with the shim: %s", f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "libapitrace_testlib.so") == 1,
           "the dlopen'd library is not a code unit");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:malloc\"", "libapitrace_testlib.so\"", NULL) == 1,
           "its malloc is not attributed to it");
    test_end();
    fixture_end(f);
}

static void test_fd_taken_over(void)
{
    struct fixture *f = fixture_begin("close_our_fd");
    struct run bare;
    run((const char *[]){ f->prog, NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: the program closing and dup2-ing over our fd: same behaviour, recording goes on");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, bare.out) == 0, "out %s, bare %s", f->r.out, bare.out);
    EXPECT(f->r.err[0] == '\0', "stderr: %s", f->r.err);
    expect_whole_file(f, f->r.pid, getpid(), "start", 0);
    EXPECT(usage_sum(f, "libc:malloc", f->prog) >= 1000, "mallocs after the takeover not recorded");
    EXPECT(lines_with(f, "\"kind\":\"call\"", "\"path\":\"/etc/hostname\"", NULL) == 1, "open after takeover");
    test_end();
    fixture_end(f);
}

static void test_tls(void)
{
    struct fixture *f = fixture_begin("tls_client");
    char cmd[9000], cert[4300], key[4300];
    snprintf(cert, sizeof cert, "%s/cert.pem", f->dir);
    snprintf(key, sizeof key, "%s/key.pem", f->dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=api.example.test -days 1 -keyout '%s' -out '%s' "
             ">/dev/null 2>&1",
             key, cert);
    int made = system(cmd);
    fixture_run(f, NULL, cert, key);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: OpenSSL: SNI, verify none, and only method, Host and route of an HTTPS request");
    EXPECT(made == 0, "openssl req failed");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s, err %s", exit_code(&f->r),
           f->r.out, f->r.err);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"openssl:SSL_ctrl\"", "\"host\":\"api.example.test\"", NULL) == 1,
           "no SNI call record");
    EXPECT(lines_with(f, "\"api\":\"openssl:SSL_CTX_set_verify\"", "verify_none", NULL) >= 1, "no verify_none");
    EXPECT(lines_with(f, "\"kind\":\"web_api\",\"direction\":\"called\",\"method\":\"GET\",\"scheme\":\"https\"",
                      "\"host\":\"api.example.test:443\"", "\"route\":\"/users/:id/orders/:id\"") == 1,
           "no web_api record with the templated route");
    EXPECT(f->text != NULL && strstr(f->text, "sekrit") == NULL && strstr(f->text, "hunter2") == NULL &&
               strstr(f->text, "Bearer") == NULL,
           "a secret of the request reached disk");
    /* client request and server reply; both sides live in this program */
    EXPECT(usage_sum(f, "openssl:SSL_write", f->prog) == 2 && usage_sum(f, "openssl:SSL_read", f->prog) == 2,
           "SSL_write %lld, SSL_read %lld", usage_sum(f, "openssl:SSL_write", f->prog),
           usage_sum(f, "openssl:SSL_read", f->prog));
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_python_dlopen(void)
{
    struct fixture *f = fixture_begin(NULL);
    fixture_run(f, "/usr/bin/python3", "-c", "import ssl, sqlite3; print('ok')");
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: python3 importing ssl: libssl arrives by dlopen and is a code unit");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "\"soname\":\"libssl.so.3\"") == 1,
           "no dlopen'd libssl");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:dlopen\"", "_ssl", NULL) >= 1, "no dlopen of _ssl");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_fatal_signal(const char *how, int sig)
{
    char name[160];
    snprintf(name, sizeof name, "preload: killed by signal %d: dies the same way, process_end reason signal", sig);
    struct fixture *f = fixture_begin("fatal_signal");
    struct run bare;
    run((const char *[]){ f->prog, how, NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL, how);
    fixture_read(f, f->r.pid, 0);
    char want[80];
    snprintf(want, sizeof want, "\"reason\":\"signal\",\"signal\":%d,", sig);

    test_begin(name);
    EXPECT(WIFSIGNALED(bare.status) && WTERMSIG(bare.status) == sig, "bare status %x", bare.status);
    EXPECT(WIFSIGNALED(f->r.status) && WTERMSIG(f->r.status) == sig, "status with the shim %x", f->r.status);
    EXPECT(f->count > 1 && strstr(f->lines[f->count - 1], want) != NULL, "last line: %s",
           f->count > 0 ? f->lines[f->count - 1] : "-");
    EXPECT(usage_sum(f, "libc:malloc", f->prog) == 500, "malloc before the signal: %lld",
           usage_sum(f, "libc:malloc", f->prog));
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_signal_handlers_invisible(void)
{
    struct fixture *f = fixture_begin("fatal_signal");
    struct run bare;
    run((const char *[]){ f->prog, "query", NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL, "query");
    test_begin("preload: the shim's fatal-signal handlers are invisible to sigaction and signal");
    EXPECT(strcmp(bare.out, "segv default=1\nint previous default=1\nint now ours=1\n") == 0, "bare: %s", bare.out);
    EXPECT(strcmp(f->r.out, bare.out) == 0, "with the shim: %s", f->r.out);
    test_end();
    fixture_end(f);
}

static void test_flushed_before_sigkill(void)
{
    struct fixture *f = fixture_begin("killed_after_pause");
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);
    test_begin("preload: a call a second after the last flush flushes: SIGKILL loses nothing before it");
    EXPECT(WIFSIGNALED(f->r.status) && WTERMSIG(f->r.status) == SIGKILL, "status %x", f->r.status);
    EXPECT(lines_with(f, "\"kind\":\"call\"", "\"path\":\"/etc/hostname\"", NULL) == 1 &&
               lines_with(f, "\"kind\":\"call\"", "\"path\":\"/etc/passwd\"", NULL) == 1,
           "the opens before the kill are not on disk");
    EXPECT(lines_with(f, "process_end", NULL, NULL) == 0, "a process_end after SIGKILL");
    test_end();
    fixture_end(f);
}

/* A full disk, made real with a 12 KiB tmpfs in a private mount namespace
 * (unshare -rm: no privileges needed where user namespaces are allowed). */
static void test_disk_full(void)
{
    struct fixture *f = fixture_begin("many_paths");
    if (system("unshare -rm true >/dev/null 2>&1") != 0) {
        test_begin("preload: disk full (skipped: this system allows no user namespaces for unshare -rm)");
        test_end();
        fixture_end(f);
        return;
    }
    static char script[200000];
    snprintf(script, sizeof script,
             "mount -t tmpfs -o size=12k tmpfs '%s' && APITRACE_DIR='%s' LD_PRELOAD='%s' exec '%s'", f->dir, f->dir,
             shim, f->prog);
    struct run bare;
    run((const char *[]){ f->prog, NULL }, (struct env_setting){ 0 }, &bare);
    run((const char *[]){ "/usr/bin/unshare", "-rm", "/bin/sh", "-c", script, NULL }, (struct env_setting){ 0 },
        &f->r);
    char want[4400];
    snprintf(want, sizeof want,
             "apitrace: native: cannot write events to %s: No space left on device (recording off for this process)\n",
             f->dir);
    test_begin("preload: disk full: the program runs exactly as without the shim, one line on stderr");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, bare.out) == 0, "exit %d, out %s, bare %s", exit_code(&f->r),
           f->r.out, bare.out);
    EXPECT(strcmp(f->r.err, want) == 0, "stderr: %s", f->r.err);
    test_end();
    fixture_end(f);
}

void run_preload_tests(const char *build_dir)
{
    snprintf(shim, sizeof shim, "%s/libapitrace.so", build_dir);
    snprintf(programs, sizeof programs, "%s/test-programs", build_dir);
    snprintf(validator, sizeof validator, "%s/../test/validate_events.mjs", build_dir);

    test_true();
    test_exit_code();
    test_fork();
    test_fork_counts();
    test_fork_stacks();
    test_vfork();
    test_exec();
    test_argv_redacted();
    test_same_errno_and_fds();
    test_long_argv();
    test_caller_attribution();
    test_threads_exact();
    test_signal_reentry();
    test_same_results();
    test_findings();
    test_calling_sites();
    test_reinjection("execve", true);
    test_reinjection("execle", true);
    test_reinjection("vfork", false);
    test_reinjection("posix_spawn", false);
    test_dlopen_keeps_caller();
    test_fd_taken_over();
    test_tls();
    test_python_dlopen();
    test_fatal_signal("segv", SIGSEGV);
    test_fatal_signal("term", SIGTERM);
    test_signal_handlers_invisible();
    test_disk_full();
    test_flushed_before_sigkill();

    char *tmp = make_temp_dir(), under_file[512], missing[512];
    snprintf(under_file, sizeof under_file, "%s/regular-file", tmp);
    fclose(fopen(under_file, "w"));
    strcat(under_file, "/x");
    snprintf(missing, sizeof missing, "%s/missing", tmp);
    test_unwritable("preload: dir under a regular file: same output and exit code, one stderr line",
                    under_file, "Not a directory");
    test_unwritable("preload: missing dir: same output and exit code, one stderr line", missing,
                    "No such file or directory");
    test_unwritable_fork(missing);
    remove_tree(tmp);
    free(tmp);

    test_inert("preload: APITRACE_DIR unset: no files, no stderr", NULL);
    test_inert("preload: APITRACE_DIR empty: no files, no stderr", "");
}
