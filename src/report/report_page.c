/* The page around the data: the template (report/report.html) with the
 * stylesheets, Leaflet, the page script and the data put in its slots.
 * Every asset is compiled in (cmake/embed.cmake): the library reads no
 * file to write a report, and the page fetches nothing. */
#include "report_internal.h"

#include "leaflet_css.h"
#include "leaflet_js.h"
#include "leaflet_license.h"
#include "report_css.h"
#include "report_html.h"
#include "report_js.h"

#include <string.h>

const char *pm_version(void);

int rp_page(sbuf *b, pm_ctx *ctx, const pm_report_opts *o, const char *data)
{
    const char *t = pm_report_template;
    for (;;) {
        const char *at = strstr(t, "@@");
        if (!at) {
            sb_puts(b, t);
            break;
        }
        sb_add(b, t, (size_t)(at - t));
        const char *end = strstr(at + 2, "@@");
        if (!end)
            return pm_err(ctx, PM_EINTERNAL, "bad report template", "report/report.html",
                          "unclosed slot");
        size_t n = (size_t)(end - at - 2);
        const char *slot = at + 2;
#define IS(name) (n == sizeof name - 1 && memcmp(slot, name, n) == 0)
        if (IS("TITLE"))
            rp_html(b, o->title);
        else if (IS("PAPER"))
            rp_html(b, o->paper);
        else if (IS("VERSION"))
            rp_html(b, pm_version());
        else if (IS("LEAFLET_CSS"))
            sb_puts(b, pm_leaflet_css);
        else if (IS("LEAFLET_JS"))
            sb_puts(b, pm_leaflet_js);
        else if (IS("LEAFLET_LICENSE"))
            rp_html(b, pm_leaflet_license);
        else if (IS("CSS"))
            sb_puts(b, pm_report_css);
        else if (IS("JS"))
            sb_puts(b, pm_report_js);
        else if (IS("DATA"))
            sb_puts(b, data); /* JSON with every '<' escaped (rp_json_str) */
        else
            return pm_err(ctx, PM_EINTERNAL, "bad report template", "report/report.html",
                          "unknown slot %.*s", (int)n, slot);
#undef IS
        t = end + 2;
    }
    return b->oom ? pm_err(ctx, PM_ENOMEM, "out of memory", "report", "page") : 0;
}
