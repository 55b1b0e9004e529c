/* libFuzzer target: arbitrary bytes as a style document -> pm_style_parse.
 * Errors are expected; crashes, sanitizer reports and leaks are not. */
#include "parkmap/style.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* pm_style_parse takes a C string, as pm_style_load gives it. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    pm_ctx *ctx = NULL;
    if (pm_ctx_new(&ctx))
        abort();
    pm_style *st = NULL;
    int rc = pm_style_parse(&st, ctx, text, "fuzz.json");
    if (rc != 0 && (st || !*pm_ctx_what(ctx)))
        abort();
    if (rc == 0) {
        /* Walk what the parser built, as render does. */
        for (size_t i = 0; i < pm_style_nlayers(st); i++)
            (void)pm_style_layer_source(st, i);
    }
    pm_style_free(st);
    pm_ctx_free(ctx);
    free(text);
    return 0;
}
