// A thin C layer over LibRaw (Debian's libraw-dev, the reentrant libraw_r). LibRaw's state is
// one large struct with 64k-entry tables and nested vendor structs; Swift would import it as
// tuples of thousands of elements, so Swift never sees it. Instead this header hands out an
// opaque handle and flat copies of the fields DSLRKit uses; every decision about them
// (colour pattern, black levels, orientation, what to refuse) is made in Swift (DSLRRaw).
#pragma once
#include <stddef.h>
#include <stdint.h>

/// One LibRaw processor with one file open. Each handle is independent (libraw_r), so
/// threads may decode different files at once.
typedef struct cr_raw cr_raw;

/// What LibRaw knows about the open file, copied out of its structs. Fields are LibRaw's,
/// under its names; see libraw_types.h for their meaning.
typedef struct {
    int raw_width, raw_height;
    /// The visible area and where it starts inside the raw frame.
    int width, height, top_margin, left_margin;
    /// LibRaw's orientation code (dcraw's `flip`: bit 4 transpose, 2 flip rows, 1 flip columns).
    int flip;
    double pixel_aspect;
    /// 0: not a colour filter array (linear DNG, Foveon); 9: Fuji X-Trans; above 999: a
    /// 2×8 pattern of 2-bit colour indices (Bayer).
    unsigned filters;
    int colors;
    /// The colour letters of indices 0...3 ("RGBG" for Bayer sensors).
    char cdesc[5];
    unsigned is_foveon;
    unsigned dng_version;
    char make[64], model[64];
    float iso_speed, shutter, aperture, focal_len;
    /// Capture time as LibRaw computed it from the file's local date (mktime), 0 if unknown.
    int64_t timestamp;
    unsigned black;
    /// Per colour index 0...3, then the rows and columns of the black pattern that
    /// `cr_black_pattern` reads.
    unsigned cblack[6];
    unsigned maximum;
    float cam_mul[4], pre_mul[4];
    float rgb_cam[3][4];
    float cam_xyz[4][3];
    /// DNG ColorMatrix1/2 (XYZ to camera) and their calibration illuminants (EXIF codes, 21 = D65).
    float dng_color_matrix[2][4][3];
    int dng_illuminant[2];
} cr_info;

/// LibRaw's development settings that DSLRKit chooses (the rest stay LibRaw's defaults).
typedef struct {
    /// 8 or 16 bits per sample.
    int bits;
    /// Orientation code to apply (see `cr_info.flip`); -1: the file's own.
    int flip;
    /// The tone curve: power and toe slope (sRGB: 1/2.4 and 12.92).
    double gamma_power, gamma_slope;
    /// Use the camera's as-shot white balance.
    int camera_white_balance;
    /// Brighten so that about 1 % of pixels are white (dcraw's default); 0 keeps exposure.
    int auto_bright;
} cr_develop_settings;

/// A developed image: interleaved samples, `bits` per sample, in host byte order.
typedef struct {
    int width, height, colors, bits;
    const void *data;
    size_t size;
    void *owner;
} cr_image;

/// Opens `path` and reads its header (no pixel data). NULL with a LibRaw status in `status`
/// when the file cannot be opened or is not a RAW file LibRaw knows.
cr_raw *cr_open(const char *path, int *status);

/// Runs `body(argument)` in a forked child process with its output sent to /dev/null and no core
/// dump, and waits for it at most `timeout_ms`. Returns 0 when the child exited, the number
/// of the signal that killed it (LibRaw's own buffer overflows abort with SIGABRT), -1 when
/// it was still running at the timeout (it is then killed), -2 when no child could be made.
/// Used to open a RAW file once where a LibRaw bug can only take down a child.
int cr_in_child(void (*body)(const char *argument), const char *argument, int timeout_ms);

/// Opens `path` with LibRaw and reads its header, then returns: `cr_in_child`'s body.
void cr_open_only(const char *path);
void cr_close(cr_raw *raw);
/// LibRaw's message for a status.
const char *cr_message(int status);

void cr_get_info(const cr_raw *raw, cr_info *info);
/// The colour index (into `cdesc`) of visible pixel (row, col).
int cr_color(cr_raw *raw, int row, int col);
/// Entry `index` of the black pattern (cblack[6 + index]); 0 beyond its end.
unsigned cr_black_pattern(const cr_raw *raw, unsigned index);

/// Reads and decodes the pixel data. Returns a LibRaw status (0: done).
int cr_unpack(cr_raw *raw);
/// Reading errors LibRaw reported and recovered from (truncated or corrupt data); LibRaw
/// prints them on stderr unless told otherwise, so they are counted here instead.
int cr_data_errors(const cr_raw *raw);
/// The unpacked single-channel mosaic (raw_height rows of `pitch` samples, margins
/// included), or NULL for sensors LibRaw decodes into several channels per pixel.
const uint16_t *cr_mosaic(const cr_raw *raw, size_t *pitch);

/// LibRaw's own development (dcraw_process, then an in-memory RGB image) with `settings`.
/// Returns a LibRaw status; on success `image` holds the result until `cr_image_free`.
int cr_develop(cr_raw *raw, const cr_develop_settings *settings, cr_image *image);
void cr_image_free(cr_image *image);
