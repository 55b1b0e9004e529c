/* XML text for the style documents (QML, SLD), appended to an sbuf
 * (util/sbuf.h). */
#include "export_plan.h"

/* Text as XML character data or attribute value. */
void sb_xml(sbuf *b, const char *t)
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
            /* Control characters are not allowed in XML 1.0 at all. */
            if ((unsigned char)*t >= 0x20 || *t == '\t')
                sb_add(b, t, 1);
        }
    }
}
