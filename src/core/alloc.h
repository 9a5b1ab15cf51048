/* One allocation wrapper for the whole library, so tests can make allocation fail. */
#ifndef STP_CORE_ALLOC_H
#define STP_CORE_ALLOC_H

#include <stddef.h>

void *stp_malloc(size_t size);
void *stp_calloc(size_t count, size_t size);
void *stp_realloc(void *ptr, size_t size);
/* realloc for count*size with overflow check. */
void *stp_realloc_array(void *ptr, size_t count, size_t size);
char *stp_strdup(const char *s);
void stp_free(void *ptr);

/* Test hook: the n-th allocation from now (1 = the next) and every later one fail;
 * 0 disables. Only for tests; the library itself never calls it. */
void stp_alloc_fail_after(unsigned long n);

#endif
