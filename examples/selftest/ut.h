/* A minimal on-chip unit-test harness: TAP output ("ok 1 - name", "not ok 2 - name") through
 * RTT, the number of failed tests as the exit status through semihosting, so that
 * `stprog run` turns the suite into a CI step (docs/run.md). */
#ifndef SELFTEST_UT_H
#define SELFTEST_UT_H

#include <stdint.h>

typedef struct ut_case {
    const char *name;
    void (*fn)(void);
} ut_case;

/* In a test: records a failure (with the line) when cond is false; the test goes on. */
#define UT_CHECK(cond) ut_check((cond), #cond, __LINE__)
void ut_check(int ok, const char *what, int line);

/* Runs the cases, prints TAP, exits with the number of failed cases. */
__attribute__((noreturn)) void ut_run(const ut_case *cases, unsigned count);

#endif
