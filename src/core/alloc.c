/* Allocation wrapper with a failure-injection hook for tests. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Failure injection counter: the one piece of process state, used only by tests. */
static unsigned long alloc_fail_countdown;

void stp_alloc_fail_after(unsigned long n)
{
    alloc_fail_countdown = n;
}

static int alloc_should_fail(void)
{
    if (alloc_fail_countdown == 0)
        return 0;
    if (alloc_fail_countdown == 1)
        return 1; /* stays at 1: every later allocation fails too */
    alloc_fail_countdown--;
    return 0;
}

void *stp_malloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *stp_calloc(size_t count, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *stp_realloc(void *ptr, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void *stp_realloc_array(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return stp_realloc(ptr, count * size);
}

char *stp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = stp_malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void stp_free(void *ptr)
{
    free(ptr);
}
