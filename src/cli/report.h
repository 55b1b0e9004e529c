/* Printing analysis results; shared by check, adjacency and build. */
#ifndef PM_CLI_REPORT_H
#define PM_CLI_REPORT_H
#include "cli.h"
#include <string.h>

void report_check_table(const pm_check_report *r);
json_object *report_check_json(const pm_check_report *r);
void report_check_csv(const pm_check_report *r);
void report_adjacency_table(const pm_adjacency *a);
void report_adjacency_csv(const pm_adjacency *a);
json_object *report_adjacency_json(const pm_adjacency *a);
#endif
