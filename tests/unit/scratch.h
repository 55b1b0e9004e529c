/* One scratch directory per unit test program, for the sources and
 * databases its tests write: made by the cmocka group setup, removed with
 * everything in it by the group teardown. Include once, from the test. */
#ifndef PM_TEST_SCRATCH_H
#define PM_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char scratch_dir[] = "/tmp/pm_unit_XXXXXX";

/* A file in the scratch directory; the last eight names stay valid, so a
 * call can take several. */
static char *path(const char *name)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static int scratch_setup(void **state)
{
    (void)state;
    return mkdtemp(scratch_dir) ? 0 : -1;
}

static int scratch_teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_dir);
    return system(cmd);
}

#endif
