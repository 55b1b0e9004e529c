/* Streamed JSON output for the CLI (see json_stream.c). Objects nest with
 * js_open/js_close; a NULL key opens the top-level object. */
#ifndef PM_CLI_JSON_STREAM_H
#define PM_CLI_JSON_STREAM_H

#include <json-c/json.h>
#include <stddef.h>

/* Element i of an array, as a json-c object the writer frees. */
typedef json_object *(*js_elem_fn)(const void *ctx, size_t i);

void js_open(const char *key);
void js_close(void);
/* Print "key": value and free value (NULL prints null). */
void js_field(const char *key, json_object *value);
/* Print "key": [ fn(ctx, 0), ..., fn(ctx, n - 1) ], one element at a time. */
void js_array(const char *key, size_t n, js_elem_fn fn, const void *ctx);

#endif
