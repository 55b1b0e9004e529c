/* Internal: SHA-256 of a file as 64 lowercase hex digits. */
#ifndef PM_SHA256_H
#define PM_SHA256_H
#include "parkmap/error.h"
int pm_sha256_file(char out_hex[65], pm_ctx *ctx, const char *path);
#endif
