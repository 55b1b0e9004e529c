/* Text that goes into the page: JSON strings and numbers for the data
 * block, escaped text for the few places the page shows data as HTML. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Length of the UTF-8 sequence starting at s (1..4), or 0 when it is not
 * well formed (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void rp_json_str(sbuf *b, const char *s)
{
    if (!s) {
        sb_puts(b, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    sb_add(b, "\"", 1);
    while (*p) {
        size_t run = 0;
        /* copy plain runs at once: most names need no escape at all */
        while (p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\' &&
               p[run] != '<' && p[run] != '>' && p[run] != '&')
            run++;
        if (run) {
            sb_add(b, (const char *)p, run);
            p += run;
            continue;
        }
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_add(b, e, 2);
            p++;
        } else if (c < 0x80) { /* control characters and < > & */
            sb_printf(b, "\\u%04x", c);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                sb_puts(b, "\\ufffd");
                p++;
            } else {
                /* U+2028/2029 end lines in older JavaScript: escaped too */
                if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
                    sb_printf(b, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
                else
                    sb_add(b, (const char *)p, n);
                p += n;
            }
        }
    }
    sb_add(b, "\"", 1);
}

void rp_json_num(sbuf *b, double v)
{
    if (!isfinite(v)) {
        sb_puts(b, "null");
        return;
    }
    /* 10 significant digits: metres and km² to far below what is measured,
     * without the noise of %.17g */
    char t[40];
    snprintf(t, sizeof t, "%.10g", v);
    sb_puts(b, t);
}

void rp_html(sbuf *b, const char *s)
{
    sb_markup(b, s, SB_HTML);
}
