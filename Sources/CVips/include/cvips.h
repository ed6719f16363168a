// The calls into libvips that Swift cannot make itself: libvips' option-taking functions
// are C variadic (NULL-terminated name/value lists), and its start-up must run exactly once
// per process. Everything non-variadic (headers, blobs, memory images, the error buffer,
// GObject references) Swift calls directly through this header's include of <vips/vips.h>.
#pragma once
#include <vips/vips.h>

/// Starts libvips once per process, whichever thread comes first (GLib's g_once).
/// Also disables libvips' operation cache (photos are decoded once; a cache only holds
/// memory), gives every libvips pipeline one worker thread (see cvips.c: libvips' thread
/// pool can abort, or lose a decode error, when a worker fails beside others) and drops
/// libvips' warnings instead of printing them on stderr (decoding fails on real errors
/// instead). Returns 0, or -1 with the reason in `cv_start_error()`.
int cv_start(void);
/// Why `cv_start` failed (empty when it did not).
const char *cv_start_error(void);

/// Opens a photo lazily: only the header is read until pixels are requested. Pixels are
/// read top to bottom once (sequential access), and a truncated or corrupt file fails
/// instead of producing warnings and grey pixels.
VipsImage *cv_open(VipsSource *source);

/// Applies the EXIF orientation (rotating / mirroring) and removes the orientation tag.
int cv_autorot(VipsImage *in, VipsImage **out);
int cv_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space);
int cv_cast(VipsImage *in, VipsImage **out, VipsBandFormat format);
/// A copy of the header that declares `interpretation` (no pixel conversion).
int cv_set_interpretation(VipsImage *in, VipsImage **out, VipsInterpretation interpretation);

/// Encoders into a g_malloc'ed buffer (free it with g_free). Unless `strip` is set they
/// write the image's "exif-data", "icc-profile-data" and "xmp-data" blobs where the format
/// can hold them (and libvips then adds a minimal EXIF block of its own when there is none).
int cv_jpegsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality);
int cv_pngsave(VipsImage *in, void **buffer, size_t *length, int strip, int compression, int bitdepth);
int cv_tiffsave(VipsImage *in, void **buffer, size_t *length, int strip);
int cv_webpsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality, int lossless);
int cv_heifsave(VipsImage *in, void **buffer, size_t *length, int strip, int quality);
