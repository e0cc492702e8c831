#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_file.h"
#include "test_harness.h"

static void test_name_mode_and_seq(void)
{
    char *dir = make_temp_dir();
    unsigned seq0 = 99, seq1 = 99;
    int fd0 = event_file_create(dir, 777, &seq0);
    int fd1 = event_file_create(dir, 777, &seq1);

    test_begin("event_file: <pid>-native-<seq>.jsonl, lowest free seq first");
    char path[512];
    struct stat st;
    EXPECT(fd0 >= 0 && fd1 >= 0, "create failed: %d %d", fd0, fd1);
    EXPECT(seq0 == 0 && seq1 == 1, "seqs %u %u", seq0, seq1);
    snprintf(path, sizeof path, "%s/777-native-0.jsonl", dir);
    EXPECT(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "%s missing", path);
    EXPECT((st.st_mode & 07777) == 0600, "mode %o", (unsigned)(st.st_mode & 07777));
    snprintf(path, sizeof path, "%s/777-native-1.jsonl", dir);
    EXPECT(access(path, F_OK) == 0, "%s missing", path);
    test_end();

    test_begin("event_file: fd is close-on-exec and kept out of the low fd numbers");
    EXPECT(fd0 >= 0 && (fcntl(fd0, F_GETFD) & FD_CLOEXEC), "FD_CLOEXEC not set");
    EXPECT(fd0 >= 512, "fd %d is low (fd limit may be small)", fd0);
    int next = open("/dev/null", O_RDONLY);
    EXPECT(next < fd0 && next < 10, "the application's next fd is %d", next);
    if (next >= 0)
        close(next);
    test_end();

    if (fd0 >= 0)
        close(fd0);
    if (fd1 >= 0)
        close(fd1);
    remove_tree(dir);
    free(dir);
}

static void test_symlink_not_followed(void)
{
    char *dir = make_temp_dir();
    char link_path[512], target[512], existing[512], link2[512];
    snprintf(link_path, sizeof link_path, "%s/4242-native-0.jsonl", dir);
    snprintf(target, sizeof target, "%s/would-be-created", dir);
    snprintf(existing, sizeof existing, "%s/victim", dir);
    snprintf(link2, sizeof link2, "%s/4242-native-1.jsonl", dir);
    int v = open(existing, O_WRONLY | O_CREAT, 0644);
    if (v >= 0) {
        (void)!write(v, "keep", 4);
        close(v);
    }
    /* One dangling link (would create its target) and one to a real file. */
    int l1 = symlink(target, link_path), l2 = symlink(existing, link2);

    unsigned seq = 99;
    int fd = event_file_create(dir, 4242, &seq);

    test_begin("event_file: a pre-existing symlink with the file's name is not followed");
    EXPECT(l1 == 0 && l2 == 0, "could not make the links");
    EXPECT(fd >= 0, "create failed: %s", strerror(fd < 0 ? -fd : 0));
    EXPECT(seq == 2, "seq %u, want 2 (both names taken by links)", seq);
    EXPECT(access(target, F_OK) != 0, "the dangling link's target was created");
    size_t len = 0;
    char *content = read_file(existing, &len);
    EXPECT(content != NULL && len == 4 && memcmp(content, "keep", 4) == 0, "the linked file changed");
    free(content);
    struct stat st;
    EXPECT(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced");
    test_end();

    if (fd >= 0)
        close(fd);
    remove_tree(dir);
    free(dir);
}

static void test_failures(void)
{
    unsigned seq;
    test_begin("event_file: a missing directory is reported as ENOENT");
    int fd = event_file_create("/nonexistent-apitrace-dir", 1, &seq);
    EXPECT(fd == -ENOENT, "got %d", fd);
    test_end();

    char *dir = make_temp_dir();
    char under_file[512];
    snprintf(under_file, sizeof under_file, "%s/plain", dir);
    close(open(under_file, O_WRONLY | O_CREAT, 0600));
    strcat(under_file, "/x");
    test_begin("event_file: a path under a regular file is reported as ENOTDIR");
    fd = event_file_create(under_file, 1, &seq);
    EXPECT(fd == -ENOTDIR, "got %d", fd);
    test_end();

    for (unsigned s = 0; s < EVENT_FILE_MAX_SEQ; s++) {
        char path[512];
        snprintf(path, sizeof path, "%s/55-native-%u.jsonl", dir, s);
        close(open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
    }
    test_begin("event_file: gives up after EVENT_FILE_MAX_SEQ names are taken");
    fd = event_file_create(dir, 55, &seq);
    EXPECT(fd == -EEXIST, "got %d", fd);
    test_end();
    remove_tree(dir);
    free(dir);
}

void run_event_file_tests(void)
{
    test_name_mode_and_seq();
    test_symlink_not_followed();
    test_failures();
}
