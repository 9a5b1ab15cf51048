/* Text without a C library, for the examples: decimal numbers and strings into a buffer. */
#ifndef EXAMPLE_TEXT_H
#define EXAMPLE_TEXT_H

#include <stdint.h>

/* Decimal digits of v into buf (no terminator); returns their count (at most 10). */
unsigned text_u32(char *buf, uint32_t v);
/* Copies s into buf (no terminator); returns its length. */
unsigned text_str(char *buf, const char *s);

#endif
