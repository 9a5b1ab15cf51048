/* The harness of ut.h. */
#include "ut.h"

#include "rtt.h"
#include "semihost.h"
#include "text.h"

static int current_failed;

static void put_u32(uint32_t v)
{
    char buf[10];
    rtt_write(buf, text_u32(buf, v));
}

void ut_check(int ok, const char *what, int line)
{
    if (ok)
        return;
    current_failed = 1;
    rtt_puts("# check failed at line ");
    put_u32((uint32_t)line);
    rtt_puts(": ");
    rtt_puts(what);
    rtt_puts("\n");
}

void ut_run(const ut_case *cases, unsigned count)
{
    rtt_init(RTT_MODE_BLOCK);
    rtt_puts("1..");
    put_u32(count);
    rtt_puts("\n");
    unsigned failed = 0;
    for (unsigned i = 0; i < count; i++) {
        current_failed = 0;
        cases[i].fn();
        failed += (unsigned)current_failed;
        rtt_puts(current_failed ? "not ok " : "ok ");
        put_u32(i + 1);
        rtt_puts(" - ");
        rtt_puts(cases[i].name);
        rtt_puts("\n");
    }
    sh_exit((int)failed);
}
