/* Shared between the crs module's files; not API. */
#ifndef PM_CRS_INTERNAL_H
#define PM_CRS_INTERNAL_H

/* The Chinese web-map systems PROJ lacks (crs_webmap.c). */
enum { PM_WEBMAP_NONE = 0, PM_WEBMAP_GCJ02 = 1, PM_WEBMAP_BD09 = 2 };

/* GCJ-02 / GCJ02 / BD-09 / BD09 (any case) -> its kind, else NONE. */
int pm_webmap_kind(const char *def);
/* "GCJ-02", "BD-09" (or "WGS 84" for NONE). */
const char *pm_webmap_name(int kind);
/* Inside the box where the offset applies. */
int pm_webmap_in_china(double lon, double lat);
/* WGS 84 lon/lat -> the web-map system, in place. */
void pm_webmap_from_wgs84(int kind, double *lon, double *lat);
/* The web-map system -> WGS 84, in place, by iteration to 1e-12 degrees;
 * -1 if it does not settle (only at the edge of the China box). */
int pm_webmap_to_wgs84(int kind, double *lon, double *lat);

#endif
