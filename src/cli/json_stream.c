/* JSON documents printed as they are produced: big arrays (a row per park,
 * a row per pair) go out element by element, so --json on a million
 * parcels needs the memory of one element, not of a json-c tree of all of
 * them (which took 1.1 GB for 100k parcels' adjacency). */
#include "json_stream.h"

#include <stdio.h>

#define JS_DEPTH 16

static int first[JS_DEPTH];
static int depth = -1;

static void sep(void)
{
    if (depth >= 0 && !first[depth])
        fputc(',', stdout);
    if (depth >= 0)
        first[depth] = 0;
    fputc('\n', stdout);
}

static void key(const char *k)
{
    sep();
    json_object *s = json_object_new_string(k);
    fputs(json_object_to_json_string_ext(s, JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
    json_object_put(s);
    fputs(": ", stdout);
}

void js_open(const char *k)
{
    if (k)
        key(k);
    else if (depth >= 0)
        sep();
    fputc('{', stdout);
    if (depth + 1 < JS_DEPTH)
        first[++depth] = 1;
}

void js_close(void)
{
    fputs("\n}", stdout);
    if (depth >= 0)
        depth--;
    if (depth < 0)
        fputc('\n', stdout);
}

void js_field(const char *k, json_object *v)
{
    key(k);
    fputs(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE) : "null", stdout);
    json_object_put(v);
}

void js_array(const char *k, size_t n, js_elem_fn fn, const void *ctx)
{
    key(k);
    fputc('[', stdout);
    for (size_t i = 0; i < n; i++) {
        json_object *e = fn(ctx, i);
        fputs(i ? ",\n  " : "\n  ", stdout);
        fputs(e ? json_object_to_json_string_ext(e, JSON_C_TO_STRING_NOSLASHESCAPE) : "null",
              stdout);
        json_object_put(e);
    }
    fputs(n ? "\n]" : "]", stdout);
}
