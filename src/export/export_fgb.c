/* FlatGeobuf: one layer per file. */
#include "export_internal.h"

const pm_export_format pm_export_fgb = {
    .ext = ".fgb",
    .driver = "FlatGeobuf",
};
