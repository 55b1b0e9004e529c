/* A growing string, for SQL and the style documents alike; not API.
 * Appends never fail on the spot: running out of memory sets oom, stops
 * further appends, and is noticed once, when the text is taken. */
#ifndef PM_UTIL_SBUF_H
#define PM_UTIL_SBUF_H

#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

void sb_add(sbuf *b, const char *t, size_t n);
void sb_puts(sbuf *b, const char *t);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The markup sb_markup escapes for. */
typedef enum { SB_HTML, SB_XML } sb_markup_kind;
/* t (NULL: nothing) as element text or a quoted attribute value: & < > "
 * as entities in both, ' as &#39; (HTML) or &apos; (XML). XML also writes
 * a newline as &#10; (an attribute value keeps it) and drops the other
 * control characters but tab, which XML 1.0 does not allow at all. The one
 * escaper of the report (HTML) and the style documents (QML, SLD). */
void sb_markup(sbuf *b, const char *t, sb_markup_kind kind);
/* The text (caller frees), or NULL when memory ran out. */
char *sb_take(sbuf *b);

#endif
