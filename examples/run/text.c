/* Text helpers (text.h). */
#include "text.h"

unsigned text_u32(char *buf, uint32_t v)
{
    char tmp[10];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    for (unsigned i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

unsigned text_str(char *buf, const char *s)
{
    unsigned n = 0;
    while (s[n] != '\0') {
        buf[n] = s[n];
        n++;
    }
    return n;
}
