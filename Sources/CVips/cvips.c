#include "cvips.h"

static char start_error[512];

static void drop_message(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

static gpointer start_once(gpointer unused) {
    (void)unused;
    if (vips_init("dslrkit") != 0) {
        char *reason = vips_error_buffer_copy();
        g_strlcpy(start_error, reason && *reason ? reason : "vips_init failed", sizeof start_error);
        g_free(reason);
        return GINT_TO_POINTER(2);
    }
    vips_cache_set_max(0);
    // One worker per libvips pipeline. In libvips 8.14 (and still upstream) the thread
    // pool's owner sets `pool->stop` without the allocation lock once a worker fails, so a
    // second worker that has just passed its stop check trips `g_assert(!pool->stop)` and
    // aborts the process: a corrupt JPEG sent to `dslr serve` did (the `http` fuzz
    // target). With several workers a failed decode is also sometimes reported as success
    // (47 and 51 of 20,000 decodes of that JPEG at 8 workers on one core). DSLRKit's
    // pixel work is libtorch's; libjpeg's decode and encode are serial anyway.
    vips_concurrency_set(1);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, drop_message, NULL);
    return GINT_TO_POINTER(1);
}

int cv_start(void) {
    static GOnce once = G_ONCE_INIT;
    return GPOINTER_TO_INT(g_once(&once, start_once, NULL)) == 1 ? 0 : -1;
}

const char *cv_start_error(void) { return start_error; }

VipsImage *cv_open(VipsSource *source) {
    return vips_image_new_from_source(source, "",
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

int cv_autorot(VipsImage *in, VipsImage **out) { return vips_autorot(in, out, NULL); }

int cv_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_colourspace(in, out, space, NULL);
}

int cv_cast(VipsImage *in, VipsImage **out, VipsBandFormat format) { return vips_cast(in, out, format, NULL); }

int cv_set_interpretation(VipsImage *in, VipsImage **out, VipsInterpretation interpretation) {
    return vips_copy(in, out, "interpretation", interpretation, NULL);
}

int cv_jpegsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality) {
    return vips_jpegsave_buffer(in, buffer, length, "strip", strip, "Q", quality, NULL);
}

int cv_pngsave(VipsImage *in, void **buffer, size_t *length, int strip, int compression, int bitdepth) {
    return vips_pngsave_buffer(in, buffer, length,
        "strip", strip, "compression", compression, "bitdepth", bitdepth, NULL);
}

int cv_tiffsave(VipsImage *in, void **buffer, size_t *length, int strip) {
    return vips_tiffsave_buffer(in, buffer, length, "strip", strip,
        "compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE,
        "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, NULL);
}

int cv_webpsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality, int lossless) {
    return vips_webpsave_buffer(in, buffer, length, "strip", strip, "Q", quality, "lossless", lossless, NULL);
}

int cv_heifsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality) {
    return vips_heifsave_buffer(in, buffer, length,
        "strip", strip, "Q", quality, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL);
}
