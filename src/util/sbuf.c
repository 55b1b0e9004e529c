/* A growing string (sbuf.h). */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_add(sbuf *b, const char *t, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, t, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *t)
{
    sb_add(b, t, strlen(t));
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

/* A byte sb_markup copies as it is, in either kind. */
static int markup_plain(unsigned char c)
{
    return c >= 0x20 ? !strchr("&<>\"'", c) : c == '\t';
}

void sb_markup(sbuf *b, const char *t, sb_markup_kind kind)
{
    for (const char *p = t ? t : ""; *p;) {
        size_t run = 0;
        while (p[run] && markup_plain((unsigned char)p[run]))
            run++;
        if (run) { /* most text needs no escape at all */
            sb_add(b, p, run);
            p += run;
            continue;
        }
        const char *e = NULL;
        switch (*p) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = kind == SB_XML ? "&apos;" : "&#39;";
            break;
        case '\n':
            e = kind == SB_XML ? "&#10;" : NULL;
            break;
        default:
            break;
        }
        if (e)
            sb_puts(b, e);
        else if (kind == SB_HTML || *p == '\t')
            sb_add(b, p, 1);
        p++;
    }
}

char *sb_take(sbuf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    if (!b->s)
        return strdup("");
    return b->s;
}
