/* Line numbers for style errors.
 *
 * json-c builds objects without remembering where in the text each key was,
 * so an error found while walking the object tree ("unknown key", "bad
 * colour") cannot ask json-c for its line. Instead we scan the source text
 * ourselves for the quoted key. A plain search for "key" would find the
 * first of many "fill-color"s, so the scan follows the same path the parser
 * was on (layers -> element 3 -> paint -> "fill-colr"): a minimal walk over
 * the already-validated JSON that counts newlines, descends only into the
 * members and elements on the path, and skips everything else. If the walk
 * cannot find the path (a key spelt with escapes, say) we fall back to the
 * first occurrence of the quoted key, then to line 1. */
#include "style_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *p;
    int line;
} scan;

static void ws(scan *s)
{
    for (;;) {
        char c = *s->p;
        if (c == '\n')
            s->line++;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            s->p++;
        else
            return;
    }
}

/* Skip a string starting at '"'; sets [*b, *e) to its raw contents. */
static void str(scan *s, const char **b, const char **e)
{
    s->p++;
    *b = s->p;
    while (*s->p && *s->p != '"') {
        if (*s->p == '\\' && s->p[1])
            s->p++;
        if (*s->p == '\n')
            s->line++;
        s->p++;
    }
    *e = s->p;
    if (*s->p)
        s->p++;
}

/* Walk one value. While `on` (the walk is on the path and depth < n), look
 * for path[depth] among members/elements; return its line, or 0. */
static int value(scan *s, const pm_pseg *path, int depth, int n, int on)
{
    ws(s);
    char c = *s->p;
    if (c == '{') {
        s->p++;
        for (;;) {
            ws(s);
            if (*s->p == '}' || !*s->p) {
                if (*s->p)
                    s->p++;
                return 0;
            }
            const char *kb, *ke;
            int kline = s->line;
            str(s, &kb, &ke);
            ws(s);
            if (*s->p == ':')
                s->p++;
            int hit = on && depth < n && path[depth].key &&
                      strlen(path[depth].key) == (size_t)(ke - kb) &&
                      memcmp(path[depth].key, kb, (size_t)(ke - kb)) == 0;
            if (hit && depth == n - 1)
                return kline;
            int r = value(s, path, depth + 1, n, hit);
            if (r)
                return r;
            ws(s);
            if (*s->p == ',')
                s->p++;
        }
    }
    if (c == '[') {
        s->p++;
        for (int i = 0;; i++) {
            const char *before = s->p;
            ws(s);
            if (*s->p == ']' || !*s->p) {
                if (*s->p)
                    s->p++;
                return 0;
            }
            int hit = on && depth < n && !path[depth].key && path[depth].index == i;
            if (hit && depth == n - 1)
                return s->line;
            int r = value(s, path, depth + 1, n, hit);
            if (r)
                return r;
            ws(s);
            if (*s->p == ',')
                s->p++;
            /* Text json-c accepts but this walk does not follow (comments,
             * say) can leave it on a '}' inside an array: stop rather than
             * loop forever (found by tests/fuzz/fuzz_style). */
            if (s->p == before)
                return 0;
        }
    }
    if (c == '"') {
        const char *b, *e;
        str(s, &b, &e);
        return 0;
    }
    while (*s->p && !strchr(",]} \t\r\n", *s->p))
        s->p++; /* number, true, false, null */
    return 0;
}

int pm_style_path_line(const char *text, const pm_pseg *path, int depth)
{
    scan s = {text, 1};
    if (depth == 0)
        return 1;
    int line = value(&s, path, 0, depth, 1);
    if (line)
        return line;
    /* Fallback: the first occurrence of the innermost quoted key. */
    for (int d = depth - 1; d >= 0; d--) {
        if (!path[d].key)
            continue;
        char q[300];
        snprintf(q, sizeof q, "\"%s\"", path[d].key);
        const char *hit = strstr(text, q);
        if (!hit)
            break;
        line = 1;
        for (const char *p = text; p < hit; p++)
            line += *p == '\n';
        return line;
    }
    return 1;
}

void pm_style_push(pm_pstate *ps, const char *key, int index)
{
    if (ps->depth < (int)(sizeof ps->path / sizeof *ps->path)) {
        ps->path[ps->depth].key = key;
        ps->path[ps->depth].index = index;
    }
    ps->depth++;
}

void pm_style_pop(pm_pstate *ps)
{
    if (ps->depth > 0)
        ps->depth--;
}

int pm_style_perr(pm_pstate *ps, const char *key, const char *fmt, ...)
{
    char why[400], where[400], dotted[300];
    size_t n = 0;
    if (key)
        pm_style_push(ps, key, 0);
    int depth = ps->depth < 32 ? ps->depth : 32;
    int line = pm_style_path_line(ps->text, ps->path, depth);
    dotted[0] = '\0';
    for (int d = 0; d < depth && n < sizeof dotted - 1; d++) {
        if (ps->path[d].key)
            n += (size_t)snprintf(dotted + n, sizeof dotted - n, "%s%s", d ? "." : "",
                                  ps->path[d].key);
        else
            n += (size_t)snprintf(dotted + n, sizeof dotted - n, "[%d]", ps->path[d].index);
        if (n >= sizeof dotted)
            n = sizeof dotted - 1;
    }
    if (key)
        pm_style_pop(ps);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "%s:%d", ps->name, line);
    return pm_err(ps->ctx, PM_EUSAGE, "invalid style", where, "%s: %s", depth ? dotted : "document",
                  why);
}
