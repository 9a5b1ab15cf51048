/* The note of a Go per serial port, in the state directory. See probe/uart_note.h. */
#include "probe/uart_note.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/dirs.h"

/* <dir>/uart-<resolved port path, '/' as '_'>.go: the same adapter under another name
 * (/dev/serial/by-id/..., a symlink) finds the same note. */
static bool note_path(const stp_env *env, const char *port, char *out, size_t cap)
{
    if (env == NULL || env->journal_dir == NULL || env->journal_dir[0] == '\0')
        return false;
    char real[PATH_MAX];
    const char *name = realpath(port, real) != NULL ? real : port;
    int n = snprintf(out, cap, "%s/uart-", env->journal_dir);
    if (n < 0 || (size_t)n >= cap)
        return false;
    size_t at = (size_t)n;
    for (const char *c = name; *c != '\0' && at + 4 < cap; c++)
        out[at++] = *c == '/' ? '_' : *c;
    if (at + 4 >= cap)
        return false;
    snprintf(out + at, cap - at, ".go");
    return true;
}

void stp_uart_note_go(const stp_env *env, const char *port, const stp_uart_go_note *note)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (!note_path(env, port, path, sizeof(path)) || stp_make_parent_dirs(path) != 0)
        return;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return;
    fprintf(f, "go 0x%08" PRIX32 " dev 0x%03X at %" PRId64 "\n", note->addr, (unsigned)note->dev_id,
            note->when);
    bool ok = fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        stp_log(env, STP_LOG_DEBUG, "uart: could not record the Go in %s", path);
    }
}

bool stp_uart_note_read(const stp_env *env, const char *port, stp_uart_go_note *out)
{
    char path[PATH_MAX];
    if (!note_path(env, port, path, sizeof(path)))
        return false;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    uint32_t addr = 0;
    unsigned dev = 0;
    int64_t when = 0;
    bool ok = fscanf(f, "go 0x%" SCNx32 " dev 0x%x at %" SCNd64, &addr, &dev, &when) == 3;
    fclose(f);
    if (!ok || dev > 0xFFFu)
        return false;
    out->addr = addr;
    out->dev_id = (uint16_t)dev;
    out->when = when;
    return true;
}

void stp_uart_note_clear(const stp_env *env, const char *port)
{
    char path[PATH_MAX];
    if (note_path(env, port, path, sizeof(path)))
        (void)unlink(path);
}
