/* End-to-end: real programs run under LD_PRELOAD=build/libapitrace.so. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_harness.h"

extern char **environ;

static char shim[4096], programs[4096];

struct run {
    pid_t pid;
    int status;
    char out[4096];
    char err[4096];
};

struct env_setting {
    const char *preload; /* NULL: no LD_PRELOAD */
    const char *dir;     /* NULL: APITRACE_DIR unset */
    const char *cwd;     /* NULL: ours */
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
    EXPECT(strstr(line, "\"emitter\":{\"name\":\"libapitrace\",\"version\":\"0.1.0\"}") != NULL, "no emitter");
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

static void test_true(void)
{
    char *dir = make_temp_dir();
    struct run r;
    run((const char *const[]){ "/bin/true", NULL }, (struct env_setting){ shim, dir, NULL }, &r);

    char names[8][256], want[64], *lines[16], path[512];
    int n = list_dir(dir, names, 8), count;
    snprintf(want, sizeof want, "%d-native-0.jsonl", (int)r.pid);
    snprintf(path, sizeof path, "%s/%s", dir, want);
    char *text = event_lines(dir, r.pid, 0, lines, 16, &count);
    struct stat st;

    test_begin("preload: /bin/true writes <pid>-native-0.jsonl, mode 0600, start and end");
    EXPECT(exit_code(&r) == 0 && r.err[0] == '\0', "exit %d, stderr %s", exit_code(&r), r.err);
    EXPECT(n == 1 && strcmp(names[0], want) == 0, "files: %d, first %s, want %s", n, n ? names[0] : "-", want);
    EXPECT(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode %o", (unsigned)(st.st_mode & 07777));
    EXPECT(count == 2, "%d lines", count);
    if (count >= 2) {
        expect_process_start(lines[0], r.pid, getpid(), 0, "start");
        EXPECT(strstr(lines[0], "\"exe\":\"/usr/bin/true\"") || strstr(lines[0], "\"exe\":\"/bin/true\""),
               "exe not true: %.300s", lines[0]);
        EXPECT(strstr(lines[0], "\"argv\":[\"/bin/true\"]") != NULL, "argv wrong");
        expect_process_end(lines[count - 1], 0, count);
    }
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
}

static void test_exit_code(void)
{
    char *dir = make_temp_dir();
    struct run r;
    run((const char *const[]){ "/bin/sh", "-c", "exit 3", NULL }, (struct env_setting){ shim, dir, NULL }, &r);
    char *lines[16];
    int count;
    char *text = event_lines(dir, r.pid, 0, lines, 16, &count);

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
    char *dir = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/fork_and_wait", programs);
    struct run r;
    run((const char *const[]){ prog, NULL }, (struct env_setting){ shim, dir, NULL }, &r);
    int child = 0;
    sscanf(r.out, "child=%d", &child);

    char names[8][256], *plines[16], *clines[16];
    int n = list_dir(dir, names, 8), pcount, ccount;
    char *ptext = event_lines(dir, r.pid, 0, plines, 16, &pcount);
    char *ctext = event_lines(dir, child, 0, clines, 16, &ccount);

    test_begin("preload: a forked child writes its own file, origin fork, ppid the parent");
    EXPECT(exit_code(&r) == 0 && child > 0, "exit %d, out %s", exit_code(&r), r.out);
    EXPECT(n == 2, "%d files", n);
    EXPECT(pcount == 2 && ccount == 2, "parent %d lines, child %d lines", pcount, ccount);
    if (pcount == 2 && ccount == 2) {
        expect_process_start(plines[0], r.pid, getpid(), 0, "start");
        expect_process_end(plines[1], 0, 2);
        expect_process_start(clines[0], child, r.pid, 0, "fork");
        expect_process_end(clines[1], 0, 2);
    }
    test_end();
    free(ptext);
    free(ctext);
    remove_tree(dir);
    free(dir);
}

static void test_vfork(void)
{
    char *dir = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/vfork_and_exit", programs);
    struct run r;
    run((const char *const[]){ prog, NULL }, (struct env_setting){ shim, dir, NULL }, &r);
    char names[8][256], *lines[16];
    int n = list_dir(dir, names, 8), count;
    char *text = event_lines(dir, r.pid, 0, lines, 16, &count);

    test_begin("preload: a vfork child's _exit does not end the parent's file");
    EXPECT(exit_code(&r) == 0 && strstr(r.out, "status=5") != NULL, "exit %d, out %s", exit_code(&r), r.out);
    EXPECT(n == 1, "%d files", n);
    EXPECT(count == 2, "%d lines", count);
    if (count == 2)
        expect_process_end(lines[1], 0, 2);
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
}

static void test_exec(void)
{
    char *dir = make_temp_dir();
    struct run r;
    run((const char *const[]){ "/bin/sh", "-c", "exec /bin/true", NULL }, (struct env_setting){ shim, dir, NULL }, &r);
    char *lines0[16], *lines1[16];
    int count0, count1;
    char *text0 = event_lines(dir, r.pid, 0, lines0, 16, &count0);
    char *text1 = event_lines(dir, r.pid, 1, lines1, 16, &count1);

    test_begin("preload: exec starts a second file for the pid, seq 1, origin exec");
    EXPECT(exit_code(&r) == 0, "exit %d", exit_code(&r));
    EXPECT(count0 == 1, "first image: %d lines, want its process_start only", count0);
    if (count0 >= 1)
        expect_process_start(lines0[0], r.pid, getpid(), 0, "start");
    EXPECT(count1 == 2, "second image: %d lines", count1);
    if (count1 == 2) {
        expect_process_start(lines1[0], r.pid, getpid(), 1, "exec");
        EXPECT(strstr(lines1[0], "\"argv\":[\"/bin/true\"]") != NULL, "argv of the new image wrong");
        expect_process_end(lines1[1], 0, 2);
    }
    test_end();
    free(text0);
    free(text1);
    remove_tree(dir);
    free(dir);
}

static void test_argv_redacted(void)
{
    char *dir = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run r;
    run((const char *const[]){ prog, "0", "--password", "hunter2", "https://u:pw1@h/?token=t2", "\xff\n", NULL },
        (struct env_setting){ shim, dir, NULL }, &r);
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
    run((const char *const[]){ prog, "7", NULL }, (struct env_setting){ NULL, NULL, NULL }, &bare);
    run((const char *const[]){ prog, "7", NULL }, (struct env_setting){ shim, dir, NULL }, &traced);
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
    run((const char *const[]){ prog, NULL }, (struct env_setting){ shim, dir, NULL }, &r);
    const char *nl = strchr(r.err, '\n');

    test_begin("preload: unwritable dir: a forking program still prints one stderr line in all");
    EXPECT(exit_code(&r) == 0 && strncmp(r.out, "child=", 6) == 0, "exit %d, out %s", exit_code(&r), r.out);
    EXPECT(nl != NULL && nl[1] == '\0', "stderr: %s", r.err);
    test_end();
}

static void test_long_argv(void)
{
    enum { ARGS = 20000 };
    static char *argv[ARGS + 2];
    static char args[ARGS][16];
    argv[0] = "/bin/true";
    for (int i = 0; i < ARGS; i++) {
        snprintf(args[i], sizeof args[i], "argument%05d", i);
        argv[i + 1] = args[i];
    }
    char *dir = make_temp_dir();
    struct run r;
    run((const char *const *)argv, (struct env_setting){ shim, dir, NULL }, &r);
    char *lines[16];
    int count;
    char *text = event_lines(dir, r.pid, 0, lines, 16, &count);

    test_begin("preload: a huge argv is cut at a whole argument, with an argv_truncated notice");
    EXPECT(exit_code(&r) == 0, "exit %d", exit_code(&r));
    EXPECT(count == 3, "%d lines", count);
    if (count == 3) {
        size_t len = strlen(lines[0]);
        EXPECT(strstr(lines[0], "\"argument00000\",\"argument00001\"") != NULL, "first arguments missing");
        EXPECT(len > 20 && lines[0][len - 3] == '"' && strcmp(lines[0] + len - 2, "]}") == 0 &&
                   memcmp(lines[0] + len - 17, "\"argument", 9) == 0,
               "record does not end with a whole argument: ...%s", lines[0] + len - 20);
        EXPECT(strstr(lines[1], "\"kind\":\"notice\",\"level\":\"warn\",\"code\":\"argv_truncated\"") != NULL,
               "no notice: %s", lines[1]);
        expect_process_end(lines[2], 0, 3);
    }
    test_end();
    free(text);
    remove_tree(dir);
    free(dir);
}

static void test_inert(const char *name, const char *dir_value)
{
    char *cwd = make_temp_dir(), prog[4200];
    snprintf(prog, sizeof prog, "%s/report_and_exit", programs);
    struct run bare, traced;
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ NULL, NULL, cwd }, &bare);
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ shim, dir_value, cwd }, &traced);
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
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ NULL, NULL, NULL }, &bare);
    run((const char *const[]){ prog, "0", NULL }, (struct env_setting){ shim, dir, NULL }, &traced);

    test_begin("preload: main sees the same errno and fd numbers as without the shim");
    EXPECT(strcmp(traced.out, bare.out) == 0, "with the shim %s, without %s", traced.out, bare.out);
    EXPECT(traced.err[0] == '\0', "stderr: %s", traced.err);
    test_end();
    remove_tree(dir);
    free(dir);
}

void run_preload_tests(const char *build_dir)
{
    snprintf(shim, sizeof shim, "%s/libapitrace.so", build_dir);
    snprintf(programs, sizeof programs, "%s/test-programs", build_dir);

    test_true();
    test_exit_code();
    test_fork();
    test_vfork();
    test_exec();
    test_argv_redacted();
    test_same_errno_and_fds();
    test_long_argv();

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
