/* The writer in this process (no LD_PRELOAD): what fork does to buffered
 * records, and what happens when the application takes our fd away. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event_records.h"
#include "event_writer.h"
#include "test_harness.h"

static char *read_event_file(const char *dir, pid_t pid, unsigned seq)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%d-native-%u.jsonl", dir, (int)pid, seq);
    return read_file(path, NULL);
}

static void test_fork_keeps_parent_records_in_parent(void)
{
    char *dir = make_temp_dir();
    unsigned seq = 99;
    bool opened = event_writer_open(dir, getpid(), &seq);
    record_process_start(ORIGIN_START, seq);
    /* Buffered, not flushed, when the fork happens. */
    record_notice("info", "parent_only", "written before the fork");

    fflush(stdout);
    event_writer_before_fork();
    pid_t child = fork();
    if (child == 0) {
        unsigned child_seq = 99;
        if (event_writer_after_fork_child() && event_writer_open(dir, getpid(), &child_seq))
            record_process_start(ORIGIN_FORK, child_seq);
        record_process_end(true, 0);
        _exit(0);
    }
    event_writer_after_fork_parent();
    int status = -1;
    waitpid(child, &status, 0);
    record_process_end(true, 0);

    char *parent_text = read_event_file(dir, getpid(), 0);
    char *child_text = read_event_file(dir, child, 0);
    char *lines[8];

    test_begin("event_writer: a forked child gets its own file and none of the parent's buffer");
    EXPECT(opened && seq == 0, "open failed");
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    EXPECT(child_text != NULL, "no file for the child");
    if (child_text != NULL) {
        EXPECT(strstr(child_text, "parent_only") == NULL, "parent's record in the child's file");
        int n = split_lines(child_text, lines, 8);
        long long v;
        EXPECT(n == 2, "child file has %d lines", n);
        EXPECT(n > 0 && strstr(lines[0], "\"origin\":\"fork\"") != NULL, "child not origin fork");
        EXPECT(n > 0 && json_int_field(lines[0], "pid", &v) && v == child, "child pid wrong");
        EXPECT(n > 0 && json_int_field(lines[0], "ppid", &v) && v == getpid(), "child ppid wrong");
        EXPECT(n == 2 && json_int_field(lines[1], "records", &v) && v == 2, "child records count wrong");
    }
    test_end();

    test_begin("event_writer: the parent writes its buffered records once, after the fork");
    EXPECT(parent_text != NULL, "no file for the parent");
    if (parent_text != NULL) {
        char *first = strstr(parent_text, "parent_only");
        EXPECT(first != NULL && strstr(first + 1, "parent_only") == NULL, "parent_only not there once");
        int n = split_lines(parent_text, lines, 8);
        long long v;
        EXPECT(n == 3, "parent file has %d lines", n);
        EXPECT(n == 3 && strstr(lines[2], "\"kind\":\"process_end\"") != NULL, "last line not process_end");
        EXPECT(n == 3 && json_int_field(lines[2], "records", &v) && v == 3, "records not 3");
    }
    test_end();

    test_begin("event_writer: nothing is accepted after process_end");
    record_notice("info", "too_late", "after the end");
    event_writer_flush();
    free(parent_text);
    parent_text = read_event_file(dir, getpid(), 0);
    EXPECT(parent_text != NULL && strstr(parent_text, "too_late") == NULL, "record after process_end");
    test_end();

    free(parent_text);
    free(child_text);
    remove_tree(dir);
    free(dir);
}

/* The fd the writer holds: the one pointing at a file in dir. */
static int find_writer_fd(const char *dir)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char link[300], target[512];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            if (strncmp(target, dir, strlen(dir)) == 0 && strstr(target, "-native-") != NULL)
                found = atoi(e->d_name);
        }
    }
    if (d != NULL)
        closedir(d);
    return found;
}

static void test_replaced_fd_is_left_alone(void)
{
    char *dir = make_temp_dir();
    char victim[512];
    snprintf(victim, sizeof victim, "%s/application-file", dir);
    unsigned seq;
    bool opened = event_writer_open(dir, getpid(), &seq);
    record_process_start(ORIGIN_START, seq);
    int fd = find_writer_fd(dir);

    /* The application closes "all its fds" and reuses the number. */
    int app = open(victim, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0 && app >= 0) {
        dup2(app, fd);
        close(app);
    }
    record_notice("info", "after_takeover", "must not reach the application's file");
    int saved_stderr = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO); /* the one warning line is expected here */
    event_writer_flush();
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    close(devnull);

    char own[512];
    snprintf(own, sizeof own, "%s/%d-native-%u.jsonl", dir, (int)getpid(), seq);
    char *ours = read_file(own, NULL);

    test_begin("event_writer: never writes into an fd the application took over, goes on in its own file");
    size_t len = 99;
    char *content = read_file(victim, &len);
    EXPECT(opened && fd >= 0, "writer fd not found");
    EXPECT(content != NULL && len == 0, "the application's file got %zu bytes", len);
    EXPECT(event_writer_is_recording(), "recording stopped");
    EXPECT(ours != NULL && strstr(ours, "after_takeover") != NULL, "the record did not reach our own file");
    test_end();

    free(ours);
    free(content);
    if (fd >= 0)
        close(fd);
    remove_tree(dir);
    free(dir);
}

void run_event_writer_tests(void)
{
    test_fork_keeps_parent_records_in_parent();
    test_replaced_fd_is_left_alone();
}
