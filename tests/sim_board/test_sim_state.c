/* The virtual board's state file (sim/state.c): saved atomically (a SIGKILL during a save
 * never leaves an unreadable file), saved from a signal handler, size and header checked
 * before the file is read, messages that name what is wrong, special files refused, a
 * failed save reported. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_internal.h"
#include "sim_test.h"

#define F407_FILE_SIZE (60u + 1024u * 1024u + 16u + 4u * 12u + 4u + 8u * 64u + 8u)

static char dir[64];
static char path[128];
static char spec[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/stprog-stateXXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/board.img", dir);
    snprintf(spec, sizeof spec, "sim:stm32f407vg,state=%s", path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A board saved once with flash filled by `fill`. */
static void make_board(uint8_t fill)
{
    sim_board *b = open_board(spec);
    memset(b->flash, fill, b->flash_size);
    sim_board_close(b);
}

static void refused_with(const char *s, const char *want)
{
    char err[1024] = "";
    sim_board *b = sim_board_open(s, err, sizeof err);
    if (b != NULL || strstr(err, want) == NULL)
        fprintf(stderr, "expected a refusal with '%s', got: %s\n", want, b ? "(opened)" : err);
    assert_null(b);
    assert_non_null(strstr(err, want));
}

static off_t size_of(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? sb.st_size : -1;
}

static void test_saved_by_rename(void **state)
{
    (void)state;
    make_board(0x11);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(chmod(path, 0600), 0);
    sim_board *b = open_board(spec);
    assert_int_equal(b->flash[5], 0x11);
    b->flash[5] = 0x22;
    assert_int_equal(sim_board_sync(b), 0);
    assert_int_equal(stat(path, &after), 0);
    assert_true(after.st_ino != before.st_ino); /* a new file took its name */
    assert_int_equal(after.st_mode & 0777, 0600);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.saving", path);
    assert_int_equal(access(tmp, F_OK), -1);
    /* The lock moved to the new file: a second user is still refused. */
    refused_with(spec, "in use");
    sim_board_close(b);
    b = open_board(spec);
    assert_int_equal(b->flash[5], 0x22);
    sim_board_close(b);
    char why[256];
    assert_false(sim_state_error(why, sizeof why));
}

static void test_symlink_followed(void **state)
{
    (void)state;
    make_board(0x33);
    char link[160];
    snprintf(link, sizeof link, "%s/link.img", dir);
    assert_int_equal(symlink(path, link), 0);
    char s[256];
    snprintf(s, sizeof s, "sim:stm32f407vg,state=%s", link);
    sim_board *b = open_board(s);
    b->flash[0] = 0x44;
    sim_board_close(b);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode)); /* still a link, to the saved board */
    b = open_board(spec);
    assert_int_equal(b->flash[0], 0x44);
    sim_board_close(b);
}

/* The child saves boards whose flash alternates between two fills; killed at random points
 * of that, the file must always load and hold one whole fill. */
static void test_sigkill_during_save(void **state)
{
    (void)state;
    make_board(0xA5);
    srand(12345);
    int saw[2] = {0, 0};
    for (int round = 0; round < 40; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char err[512];
            sim_board *b = sim_board_open(spec, err, sizeof err);
            if (b == NULL)
                _exit(3);
            for (unsigned i = 0;; i++) {
                memset(b->flash, (i & 1) ? 0x5A : 0xA5, b->flash_size);
                sim_board_sync(b);
            }
        }
        usleep(2000 + (useconds_t)(rand() % 20000));
        kill(pid, SIGKILL);
        int ws = 0;
        assert_int_equal(waitpid(pid, &ws, 0), pid);
        assert_true(WIFSIGNALED(ws));
        char err[1024] = "";
        sim_board *b = sim_board_open(spec, err, sizeof err);
        if (b == NULL)
            fprintf(stderr, "round %d: %s\n", round, err);
        assert_non_null(b);
        uint8_t first = b->flash[0];
        assert_true(first == 0xA5 || first == 0x5A);
        for (size_t i = 0; i < b->flash_size; i++)
            if (b->flash[i] != first)
                fail_msg("round %d: mixed flash at %zu", round, i);
        saw[first == 0x5A]++;
        sim_board_close(b);
    }
    assert_true(saw[0] + saw[1] == 40);
}

static void on_term(int sig)
{
    sim_boards_save_on_signal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void test_saved_on_signal(void **state)
{
    (void)state;
    make_board(0x00);
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[512];
        sim_board *b = sim_board_open(spec, err, sizeof err);
        if (b == NULL)
            _exit(3);
        signal(SIGTERM, on_term);
        memset(b->flash + 0x1000, 0x77, 0x100);
        (void)!write(ready[1], "r", 1);
        for (;;)
            pause();
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    kill(pid, SIGTERM);
    int ws = 0;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM);
    sim_board *b = open_board(spec);
    assert_int_equal(b->flash[0x1000], 0x77);
    assert_int_equal(b->flash[0x10FF], 0x77);
    assert_int_equal(b->flash[0x1100], 0x00);
    sim_board_close(b);
    close(ready[0]);
    close(ready[1]);
}

static void test_messages(void **state)
{
    (void)state;
    make_board(0xFF);
    assert_int_equal(size_of(path), F407_FILE_SIZE);

    /* Cut short: says truncated, with the sizes. */
    assert_int_equal(truncate(path, 4096), 0);
    refused_with(spec, "truncated: 4096 of its");
    assert_int_equal(size_of(path), 4096); /* left as it was */
    assert_int_equal(truncate(path, 30), 0);
    refused_with(spec, "truncated: 30 bytes, shorter than its own header");

    /* Another part. */
    unlink(path);
    char s[256];
    snprintf(s, sizeof s, "sim:stm32f411re,state=%s", path);
    sim_board *b = open_board(s);
    sim_board_close(b);
    refused_with(spec, "another part: a stm32f411re board");

    /* A flipped byte. */
    unlink(path);
    make_board(0xFF);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "\x42", 1, 5000), 1);
    close(fd);
    refused_with(spec, "checksum mismatch");

    /* Something else altogether. */
    FILE *f = fopen(path, "wb");
    fputs("hello, not a board", f);
    fclose(f);
    refused_with(spec, "not a virtual-board state file");
}

/* 3 GiB (sparse): refused from its header and size, never read whole. */
static void test_huge_file_not_read(void **state)
{
    (void)state;
    make_board(0xFF);
    assert_int_equal(truncate(path, 3ll << 30), 0);
    double t0 = now_s();
    refused_with(spec, "where a stm32f407vg board's file has");
    assert_true(now_s() - t0 < 1.0);
    assert_int_equal(size_of(path), 3ll << 30);
}

static void test_special_files_refused(void **state)
{
    (void)state;
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    char s[256];
    snprintf(s, sizeof s, "sim:stm32f407vg,state=%s", fifo);
    refused_with(s, "is a FIFO");
    refused_with("sim:stm32f407vg,state=/dev/null", "is a character device");
    snprintf(s, sizeof s, "sim:stm32f407vg,state=%s", dir);
    refused_with(s, "is a directory");
}

/* The directory went away under the board: the save fails, and says so. */
static void test_failed_save_reported(void **state)
{
    (void)state;
    char sub[160], p[200], s[300];
    snprintf(sub, sizeof sub, "%s/gone", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(p, sizeof p, "%s/board.img", sub);
    snprintf(s, sizeof s, "sim:stm32f407vg,state=%s", p);
    sim_board *b = open_board(s);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_not_equal(sim_board_sync(b), 0);
    sim_board_close(b);
    char why[512];
    assert_true(sim_state_error(why, sizeof why));
    assert_non_null(strstr(why, "was not saved"));
    assert_non_null(strstr(why, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_saved_by_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_during_save, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_on_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_file_not_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_files_refused, setup, teardown),
        /* last: it leaves the process's "a save failed" record set */
        cmocka_unit_test_setup_teardown(test_failed_save_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
