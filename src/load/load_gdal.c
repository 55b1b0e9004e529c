/* GDAL's CPLError routed into pm_ctx: the one handler for every module that
 * calls GDAL (load reading, export writing). */
#include "parkmap/load.h"

#include <cpl_error.h>

/* GDAL's warnings can repeat per feature (a truncated value in every row);
 * a handful tells the user what happened. */
#define MAX_GDAL_WARNINGS 10

static void CPL_STDCALL gdal_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    pm_gdal_errors *s = CPLGetErrorHandlerUserData();
    if (!s || !s->ctx)
        return;
    if (cls >= CE_Failure) {
        pm_ctx_set_lib_msg(s->ctx, msg);
    } else if (cls == CE_Warning && !s->quiet) {
        if (s->nwarn < MAX_GDAL_WARNINGS)
            pm_warn(s->ctx, "GDAL: %s", msg);
        else if (s->nwarn == MAX_GDAL_WARNINGS)
            pm_warn(s->ctx, "GDAL: further warnings not shown");
        s->nwarn++;
    }
}

void pm_load_gdal_errors_push(pm_gdal_errors *e, pm_ctx *ctx, int quiet)
{
    e->ctx = ctx;
    e->nwarn = 0;
    e->quiet = quiet;
    pm_ctx_set_lib_msg(ctx, "");
    CPLPushErrorHandlerEx(gdal_handler, e);
}

void pm_load_gdal_errors_pop(void)
{
    CPLPopErrorHandler();
}
