#include "parkmap/parkmap.h"

const char *pm_version(void)
{
    return PM_VERSION;
}
