/* The preload tests' shared fixture (preload_fixture.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitrace_version.h"
#include "preload_fixture.h"
#include "test_harness.h"

extern char **environ;

char shim[4096], programs[4096], validator[4200];

static struct fixture fx; /* large: one at a time, static */

static void read_capture(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, cap - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

void run(const char *const argv[], struct env_setting env, struct run *r)
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

int exit_code(const struct run *r)
{
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

int list_dir(const char *dir, char names[][256], int max)
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

char *event_lines(const char *dir, pid_t pid, unsigned seq, char **lines, int max, int *count)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%d-native-%u.jsonl", dir, (int)pid, seq);
    char *text = read_file(path, NULL);
    *count = text != NULL ? split_lines(text, lines, max) : 0;
    return text;
}

struct fixture *fixture_begin(const char *program)
{
    struct fixture *f = &fx;
    memset(f, 0, sizeof *f);
    f->dir = make_temp_dir();
    if (program != NULL)
        snprintf(f->prog, sizeof f->prog, "%s/%s", programs, program);
    return f;
}

void fixture_run_env(struct fixture *f, const char *argv[], const char *extra_env)
{
    if (argv[0] == NULL)
        argv[0] = f->prog;
    run(argv, (struct env_setting){ shim, f->dir, NULL, extra_env }, &f->r);
}

int fixture_read(struct fixture *f, pid_t pid, unsigned seq)
{
    free(f->text);
    f->text = event_lines(f->dir, pid, seq, f->lines, FIXTURE_MAX_LINES, &f->count);
    return f->count;
}

void fixture_end(struct fixture *f)
{
    free(f->text);
    f->text = NULL;
    remove_tree(f->dir);
    free(f->dir);
    f->dir = NULL;
}

int lines_with(const struct fixture *f, const char *a, const char *b, const char *c)
{
    int n = 0;
    for (int i = 0; i < f->count; i++)
        if ((a == NULL || strstr(f->lines[i], a)) && (b == NULL || strstr(f->lines[i], b)) &&
            (c == NULL || strstr(f->lines[i], c)))
            n++;
    return n;
}

const char *line_with(const struct fixture *f, const char *a, const char *b, const char *c)
{
    for (int i = 0; i < f->count; i++)
        if ((a == NULL || strstr(f->lines[i], a)) && (b == NULL || strstr(f->lines[i], b)) &&
            (c == NULL || strstr(f->lines[i], c)))
            return f->lines[i];
    return NULL;
}

long long usage_sum(const struct fixture *f, const char *api, const char *caller)
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

const char *unresolved_stack_ref(const struct fixture *f)
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

bool calling_site(const struct fixture *f, const char *a, const char *b, char *unit, size_t unit_size,
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

const char *fixture_invalid(const struct fixture *f)
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

void expect_process_start(const char *line, pid_t pid, pid_t ppid, unsigned seq, const char *origin)
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
    EXPECT(strstr(line, "\"emitter\":{\"name\":\"libapitrace\",\"version\":\"" APITRACE_VERSION "\"}") != NULL,
           "no emitter");
    EXPECT(strstr(line, "\"wall\":\"20") != NULL && strstr(line, "Z\",\"exe\":\"/") != NULL, "wall or exe missing");
    EXPECT(line[strlen(line) - 1] == '}', "line does not end the object");
}

void expect_process_end(const char *line, int code, int line_count)
{
    long long v;
    EXPECT(strncmp(line, "{\"kind\":\"process_end\",\"t\":", 26) == 0, "last line is not process_end: %.80s", line);
    EXPECT(strstr(line, "\"reason\":\"exit\"") != NULL, "reason not exit");
    EXPECT(json_int_field(line, "exit_code", &v) && v == code, "exit_code %lld, want %d", v, code);
    EXPECT(json_int_field(line, "records", &v) && v == line_count, "records %lld, file has %d lines", v, line_count);
    EXPECT(json_int_field(line, "dropped", &v) && v == 0, "dropped %lld", v);
}

void expect_whole_file(const struct fixture *f, pid_t pid, pid_t ppid, const char *origin, int code)
{
    EXPECT(f->count >= 2, "%d lines", f->count);
    if (f->count >= 2) {
        expect_process_start(f->lines[0], pid, ppid, 0, origin);
        expect_process_end(f->lines[f->count - 1], code, f->count);
    }
}

void run_preload_tests(const char *build_dir)
{
    snprintf(shim, sizeof shim, "%s/libapitrace.so", build_dir);
    snprintf(programs, sizeof programs, "%s/test-programs", build_dir);
    snprintf(validator, sizeof validator, "%s/../test/validate_events.mjs", build_dir);

    run_preload_process_tests();
    run_preload_invisible_tests();
    run_preload_attribution_tests();
    run_hook_table_tests();
}