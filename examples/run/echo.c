/* echo: reads what the host sends on RTT down-buffer 0 (stprog run's stdin), writes each
 * line back upper-cased on the up-buffer, and exits with N on a line "exit N". Built with
 * ECHO_SEMIHOSTING it reads stdin through SYS_READC instead, until the end of input, and
 * exits with the number of lines it read. */
#include <stdint.h>

#include "board.h"
#include "rtt.h"
#include "semihost.h"

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

#ifndef ECHO_SEMIHOSTING
static int parse_exit(const char *line, unsigned len)
{
    static const char cmd[] = "exit ";
    if (len < sizeof(cmd))
        return -1;
    for (unsigned i = 0; i + 1 < sizeof(cmd); i++)
        if (line[i] != cmd[i])
            return -1;
    int v = 0;
    for (unsigned i = sizeof(cmd) - 1; i < len && line[i] >= '0' && line[i] <= '9'; i++)
        v = v * 10 + (line[i] - '0');
    return v;
}
#endif

int main(void)
{
    char line[128];
    unsigned len = 0;
#ifdef ECHO_SEMIHOSTING
    int lines = 0;
    for (;;) {
        int c = sh_readc();
        if (c < 0)
            sh_exit(lines);
        line[len++] = upper((char)c);
        if (c == '\n' || len == sizeof(line)) {
            sh_write(1, line, len);
            lines++;
            len = 0;
        }
    }
#else
    rtt_init(RTT_MODE_BLOCK);
    rtt_puts("echo ready\n");
    for (;;) {
        char c;
        if (rtt_read(&c, 1) == 0)
            continue;
        line[len++] = c;
        if (c != '\n' && len < sizeof(line))
            continue;
        int status = parse_exit(line, len);
        if (status >= 0)
            sh_exit(status);
        for (unsigned i = 0; i < len; i++)
            line[i] = upper(line[i]);
        rtt_write(line, len);
        len = 0;
    }
#endif
}
