/* The scripted byte link (see script_link.h). */
#include "script_link.h"

#include <stdio.h>
#include <string.h>

static stp_status s_write(stp_byte_link *l, const uint8_t *buf, size_t len, stp_findings *f)
{
    script_link *s = (script_link *)l;
    (void)f;
    for (size_t i = 0; i < len && s->sent_len < SCRIPT_MAX; i++)
        s->sent[s->sent_len++] = buf[i];
    return STP_OK;
}

static stp_status s_read(stp_byte_link *l, uint8_t *buf, size_t len, unsigned timeout_ms,
                         size_t *got, stp_findings *f)
{
    script_link *s = (script_link *)l;
    (void)timeout_ms;
    (void)f;
    *got = 0;
    while (*got < len && s->next < s->reply_count) {
        int r = s->replies[s->next++];
        if (r == GAP)
            break;
        buf[(*got)++] = (uint8_t)r;
    }
    return STP_OK;
}

static void s_flush(stp_byte_link *l)
{
    ((script_link *)l)->flushes++;
}

static stp_status s_lines(stp_byte_link *l, int dtr, int rts)
{
    (void)l;
    (void)dtr;
    (void)rts;
    return STP_ERR_UNSUPPORTED;
}

static void s_sleep(stp_byte_link *l, unsigned ms)
{
    (void)ms;
    ((script_link *)l)->sleeps++;
}

static void s_close(stp_byte_link *l)
{
    (void)l;
}

static const stp_byte_link_ops script_ops = {s_write, s_read, s_flush, s_lines, s_sleep, s_close};

void script_init(script_link *s)
{
    memset(s, 0, sizeof(*s));
    s->base.ops = &script_ops;
    s->base.baud = 115200;
}

void script_reply(script_link *s, const int *bytes, size_t n)
{
    for (size_t i = 0; i < n && s->reply_count < SCRIPT_MAX; i++)
        s->replies[s->reply_count++] = bytes[i];
}

int script_sent(script_link *s, size_t *pos, const uint8_t *bytes, size_t n)
{
    if (*pos + n > s->sent_len || memcmp(s->sent + *pos, bytes, n) != 0) {
        fprintf(stderr, "sent from offset %zu:", *pos);
        for (size_t i = *pos; i < s->sent_len && i < *pos + n + 8; i++)
            fprintf(stderr, " %02X", s->sent[i]);
        fprintf(stderr, "\nexpected:");
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02X", bytes[i]);
        fprintf(stderr, "\n");
        return 0;
    }
    *pos += n;
    return 1;
}
