/* Preload tests, real programs run under LD_PRELOAD=build/libapitrace.so.
 * What each process image writes: its file, fork, vfork, exec, argv, re-injection into
 * scrubbed environments, and how a killed process ends its file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload_fixture.h"
#include "test_harness.h"

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
    EXPECT(parent_opens == 1 && child_opens == 0, "open call records: parent %d, child %d", parent_opens, child_opens);
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
    EXPECT(exit_code(&f->r) == 0 && child > 0 && opened == 40 && status == 0, "exit %d, out %s", exit_code(&f->r),
           f->r.out);
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
    EXPECT(text != NULL && strstr(text, "hunter2") == NULL && strstr(text, "pw1") == NULL && strstr(text, "t2") == NULL,
           "a secret reached disk");
    EXPECT(count >= 1 && strstr(lines[0], "\"0\",\"--password\",\"***\",\"https://u:***@h/?token=***\","
                                          "\"\\ufffd\\n\"]}") != NULL,
           "argv: %s", count >= 1 ? strstr(lines[0], "\"argv\"") : "-");
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
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

void run_preload_process_tests(void)
{
    test_true();
    test_exit_code();
    test_fork();
    test_fork_counts();
    test_fork_stacks();
    test_vfork();
    test_exec();
    test_argv_redacted();
    test_long_argv();
    test_reinjection("execve", true);
    test_reinjection("execle", true);
    test_reinjection("vfork", false);
    test_reinjection("posix_spawn", false);
    test_fatal_signal("segv", SIGSEGV);
    test_fatal_signal("term", SIGTERM);
    test_flushed_before_sigkill();
}
