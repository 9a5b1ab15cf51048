/* stprog CLI — a small streaming JSON writer (no external dependency).
 * Commas, nesting and string escaping are handled here; callers only say what comes next.
 * Output is indented with two spaces. Strings are written as valid UTF-8: control characters
 * are escaped and invalid byte sequences become U+FFFD. */
#ifndef STP_CLI_JSON_H
#define STP_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_JSON_MAX_DEPTH 32

typedef struct cli_json {
    FILE *out;
    int depth;                          /* open containers */
    bool is_object[CLI_JSON_MAX_DEPTH]; /* per level: object (true) or array */
    bool has_items[CLI_JSON_MAX_DEPTH]; /* per level: something written already */
    bool after_key;                     /* a key was written; its value comes next */
    bool error;                         /* misuse detected (too deep, value without key) */
} cli_json;

void cli_json_init(cli_json *j, FILE *out);

void cli_json_object_begin(cli_json *j);
void cli_json_object_end(cli_json *j);
void cli_json_array_begin(cli_json *j);
void cli_json_array_end(cli_json *j);
/* Closes containers until depth is left open (0 closes everything). */
void cli_json_close_to(cli_json *j, int depth);

void cli_json_key(cli_json *j, const char *key);
void cli_json_string(cli_json *j, const char *s); /* NULL writes null */
void cli_json_string_n(cli_json *j, const char *s, size_t len);
void cli_json_u64(cli_json *j, uint64_t v);
void cli_json_i64(cli_json *j, int64_t v);
void cli_json_double(cli_json *j, double v); /* non-finite values are written as null */
void cli_json_bool(cli_json *j, bool v);
void cli_json_null(cli_json *j);

/* key + value in one call. */
void cli_json_kv_string(cli_json *j, const char *key, const char *s);
void cli_json_kv_u64(cli_json *j, const char *key, uint64_t v);
void cli_json_kv_i64(cli_json *j, const char *key, int64_t v);
void cli_json_kv_double(cli_json *j, const char *key, double v);
void cli_json_kv_bool(cli_json *j, const char *key, bool v);
/* "0x08000000": addresses for people reading the JSON; scripts should use the number. */
void cli_json_kv_hex32(cli_json *j, const char *key, uint32_t v);

/* Writes s as a JSON string literal (with quotes) to out. Exposed for tests. */
void cli_json_write_escaped(FILE *out, const char *s, size_t len);

#endif
