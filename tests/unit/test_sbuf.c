/* util/sbuf.h: the markup escaper shared by the report (HTML) and the
 * style documents (XML), against the two escapers it replaced, byte for
 * byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"

/* The report's rp_html before sb_markup (src/report/report_text.c). */
static void old_html(sbuf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&':
            sb_puts(b, "&amp;");
            break;
        case '<':
            sb_puts(b, "&lt;");
            break;
        case '>':
            sb_puts(b, "&gt;");
            break;
        case '"':
            sb_puts(b, "&quot;");
            break;
        case '\'':
            sb_puts(b, "&#39;");
            break;
        default:
            sb_add(b, p, 1);
        }
    }
}

/* The export's sb_xml before sb_markup (src/export/export_sbuf.c). */
static void old_xml(sbuf *b, const char *t)
{
    for (; t && *t; t++) {
        switch (*t) {
        case '&':
            sb_puts(b, "&amp;");
            break;
        case '<':
            sb_puts(b, "&lt;");
            break;
        case '>':
            sb_puts(b, "&gt;");
            break;
        case '"':
            sb_puts(b, "&quot;");
            break;
        case '\'':
            sb_puts(b, "&apos;");
            break;
        case '\n':
            sb_puts(b, "&#10;");
            break;
        default:
            if ((unsigned char)*t >= 0x20 || *t == '\t')
                sb_add(b, t, 1);
        }
    }
}

/* sb_markup(t, kind) and the old escaper give the same bytes. */
static void same(const char *t, sb_markup_kind kind)
{
    sbuf a = {0}, b = {0};
    sb_puts(&a, "[");
    sb_puts(&b, "[");
    sb_markup(&a, t, kind);
    (kind == SB_XML ? old_xml : old_html)(&b, t);
    char *x = sb_take(&a), *y = sb_take(&b);
    assert_non_null(x);
    assert_non_null(y);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static char *markup(const char *t, sb_markup_kind kind)
{
    sbuf b = {0};
    sb_markup(&b, t, kind);
    return sb_take(&b);
}

static void test_every_byte(void **state)
{
    (void)state;
    char t[4] = {'a', 0, 'z', 0};
    for (int c = 1; c < 256; c++) {
        t[1] = (char)c;
        same(t, SB_HTML);
        same(t, SB_XML);
        same(t + 1, SB_HTML);
        same(t + 1, SB_XML);
    }
}

static void test_strings(void **state)
{
    (void)state;
    static const char *const cases[] = {
        NULL,
        "",
        "plain text",
        "Zhangjiang Hi-Tech Park \xe5\xbc\xa0\xe6\xb1\x9f",
        "<script>alert('x')</script>",
        "a & b \"quoted\" 'single'",
        "line\nbreak\r\nand\ttab",
        "&amp; already escaped",
        "\x01\x02\x1f\x7f\x80\xff",
        "</style><!-- -->",
        "'''\"\"\"&&&<<<>>>",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        same(cases[i], SB_HTML);
        same(cases[i], SB_XML);
    }
}

static void test_expected(void **state)
{
    (void)state;
    char *h = markup("<a href=\"x\">O'Neil & co</a>\n\x01", SB_HTML);
    char *x = markup("<a href=\"x\">O'Neil & co</a>\n\x01", SB_XML);
    assert_string_equal(h, "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;\n\x01");
    assert_string_equal(x, "&lt;a href=&quot;x&quot;&gt;O&apos;Neil &amp; co&lt;/a&gt;&#10;");
    free(h);
    free(x);
    /* NULL is nothing, in either kind */
    h = markup(NULL, SB_HTML);
    assert_string_equal(h, "");
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_expected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
