/* The ST-Link model's USB-side state across host processes. A real probe stays plugged in
 * when the tool using it dies: a reply the tool did not collect is still in the IN
 * endpoint, a write whose data phase was cut still waits for its bytes, and the firmware is
 * still in debug mode. Hosts recover from that on open (pyOCD reads the IN endpoint until
 * it times out, OpenOCD resets the USB device when GET_VERSION fails and tries again). So
 * that this is exercised, the model keeps that state in FILE.probe beside the board's state
 * file (state=), mapped into memory: every change is in the file at once, also when the
 * process is killed with SIGKILL (the kernel keeps the pages of a shared mapping). Without
 * state= the probe lives in memory and starts fresh with each process. The board's lock on
 * FILE (flock) covers FILE.probe too. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stlink_internal.h"

#define SAVED_MAGIC  "STPRB01"
#define PROBE_SUFFIX ".probe"
#define REPLY_NONE   0
#define REPLY_SMALL  1
#define REPLY_DATA   2

struct stl_saved {
    char magic[8];
    uint32_t size; /* sizeof(struct stl_saved) */
    uint16_t pid;  /* the probe kind and serial it belongs to: another one starts fresh */
    char serial[40];
    uint32_t writing; /* nonzero while a save is in progress: a torn record is not used */
    uint8_t valid;
    uint8_t mode, swd, hung;
    uint32_t swd_khz;
    uint8_t out_pending, out_cmd, out_ap, reply_kind;
    uint32_t out_addr, out_len, out_got;
    uint32_t reply_len, reply_pos;
    uint32_t held_len;
    uint8_t held[STL_CMD_MAX];
    uint8_t small[STL_REPLY_MAX];
    uint8_t data[STL_WRITE_MAX + 16];
};

static void restore(sim_stlink *s)
{
    struct stl_saved *v = s->saved;
    if (!v->valid || v->writing || v->pid != s->usb.pid || strcmp(v->serial, s->serial) != 0 ||
        v->mode > STL_MODE_DEBUG)
        return;
    s->mode = v->mode;
    s->swd = v->swd != 0;
    s->hung = v->hung != 0;
    if (v->swd_khz != 0)
        s->dap.swd_khz = v->swd_khz;
    if (v->out_pending && v->out_len <= STL_WRITE_MAX && v->out_got < v->out_len) {
        s->out_pending = true;
        s->out_cmd = v->out_cmd;
        s->out_ap = v->out_ap;
        s->out_addr = v->out_addr;
        s->out_len = v->out_len;
        s->out_got = v->out_got;
    }
    size_t cap = v->reply_kind == REPLY_SMALL ? STL_REPLY_MAX : STL_WRITE_MAX;
    if (v->reply_kind != REPLY_NONE && v->reply_len <= cap && v->reply_pos < v->reply_len) {
        s->reply = v->reply_kind == REPLY_SMALL ? s->small : s->data;
        s->reply_len = v->reply_len;
        s->reply_pos = v->reply_pos;
    }
    if (v->held_len <= STL_CMD_MAX) {
        s->held_len = v->held_len;
        memcpy(s->held, v->held, v->held_len);
    }
    if (s->reply || s->out_pending || s->held_len || s->hung)
        snprintf(s->restored, sizeof s->restored, "probe state from the last process: %s%s%s%s",
                 s->reply ? "an uncollected reply " : "",
                 s->out_pending ? "a write waiting for its data " : "",
                 s->held_len ? "a command waiting " : "", s->hung ? "hung firmware" : "");
}

static struct stl_saved *map_file(const char *state_file)
{
    char path[4200];
    if ((size_t)snprintf(path, sizeof path, "%s%s", state_file, PROBE_SUFFIX) >= sizeof path)
        return NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return NULL;
    struct stat sb;
    void *p = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        bool fresh = (size_t)sb.st_size != sizeof(struct stl_saved);
        if (!fresh || ftruncate(fd, 0) == 0)
            if (ftruncate(fd, (off_t)sizeof(struct stl_saved)) == 0)
                p = mmap(NULL, sizeof(struct stl_saved), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED &&
            (fresh || memcmp(((struct stl_saved *)p)->magic, SAVED_MAGIC, sizeof SAVED_MAGIC) != 0))
            memset(p, 0, sizeof(struct stl_saved));
    }
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

int stl_persist_attach(sim_stlink *s)
{
    const char *file = sim_board_state_file(s->board);
    s->saved = file ? map_file(file) : NULL;
    s->saved_mapped = s->saved != NULL;
    if (!s->saved)
        s->saved = calloc(1, sizeof(struct stl_saved));
    if (!s->saved)
        return -1;
    s->data = s->saved->data;
    s->small = s->saved->small;
    if (s->saved_mapped)
        restore(s);
    return 0;
}

void stl_persist_save(sim_stlink *s)
{
    struct stl_saved *v = s->saved;
    if (!s->saved_mapped)
        return;
    v->writing = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    memcpy(v->magic, SAVED_MAGIC, sizeof SAVED_MAGIC);
    v->size = (uint32_t)sizeof *v;
    v->pid = s->usb.pid;
    snprintf(v->serial, sizeof v->serial, "%s", s->serial);
    v->mode = s->mode;
    v->swd = s->swd;
    v->hung = s->hung;
    v->swd_khz = s->dap.swd_khz;
    v->out_pending = s->out_pending;
    v->out_cmd = s->out_cmd;
    v->out_ap = s->out_ap;
    v->out_addr = s->out_addr;
    v->out_len = s->out_len;
    v->out_got = s->out_got;
    v->reply_kind = !s->reply ? REPLY_NONE : s->reply == s->small ? REPLY_SMALL : REPLY_DATA;
    v->reply_len = (uint32_t)s->reply_len;
    v->reply_pos = (uint32_t)s->reply_pos;
    v->held_len = (uint32_t)s->held_len;
    memcpy(v->held, s->held, s->held_len);
    v->valid = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    v->writing = 0;
}

void stl_persist_detach(sim_stlink *s)
{
    if (!s->saved)
        return;
    if (s->saved_mapped) {
        stl_persist_save(s);
        munmap(s->saved, sizeof(struct stl_saved));
    } else {
        free(s->saved);
    }
    s->saved = NULL;
    s->data = s->small = NULL;
}
