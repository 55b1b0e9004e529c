/* XML text for the style documents (QML, SLD), appended to an sbuf
 * (util/sbuf.h). */
#include "export_plan.h"

/* Text as XML character data or attribute value. */
void sb_xml(sbuf *b, const char *t)
{
    sb_markup(b, t, SB_XML);
}
