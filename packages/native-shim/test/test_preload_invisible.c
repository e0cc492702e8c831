/* Preload tests, real programs run under LD_PRELOAD=build/libapitrace.so.
 * The program behaves exactly as without the shim: results, errno, fds, output, signal
 * handlers, threads, and when the run directory is unusable or the disk is full. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload_fixture.h"
#include "test_harness.h"

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

static void test_signal_reentry(void)
{
    struct fixture *f = fixture_begin("signal_reentry");
    fixture_run(f, NULL, "30000");
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: a signal handler calling hooked functions inside our hooks neither deadlocks nor breaks");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok handled=1\n") == 0, "exit %d, out %s", exit_code(&f->r),
           f->r.out);
    EXPECT(usage_sum(f, "libc:open", f->prog) >= 30000, "open count %lld", usage_sum(f, "libc:open", f->prog));
    EXPECT(f->count > 0 && strstr(f->lines[f->count - 1], "process_end") != NULL, "no process_end");
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
    run((const char *[]){ "/usr/bin/unshare", "-rm", "/bin/sh", "-c", script, NULL }, (struct env_setting){ 0 }, &f->r);
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

void run_preload_invisible_tests(void)
{
    test_same_errno_and_fds();
    test_threads_exact();
    test_signal_reentry();
    test_same_results();
    test_fd_taken_over();
    test_signal_handlers_invisible();
    test_disk_full();
    char *tmp = make_temp_dir(), under_file[512], missing[512];
    snprintf(under_file, sizeof under_file, "%s/regular-file", tmp);
    fclose(fopen(under_file, "w"));
    strcat(under_file, "/x");
    snprintf(missing, sizeof missing, "%s/missing", tmp);
    test_unwritable("preload: dir under a regular file: same output and exit code, one stderr line", under_file,
                    "Not a directory");
    test_unwritable("preload: missing dir: same output and exit code, one stderr line", missing,
                    "No such file or directory");
    test_unwritable_fork(missing);
    remove_tree(tmp);
    free(tmp);

    test_inert("preload: APITRACE_DIR unset: no files, no stderr", NULL);
    test_inert("preload: APITRACE_DIR empty: no files, no stderr", "");
}
