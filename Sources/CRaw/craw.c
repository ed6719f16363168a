#include "craw.h"
#include <libraw/libraw.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cr_raw {
    libraw_data_t *data;
    int data_errors;
};

static void count_data_error(void *context, const char *file, const int offset) {
    (void)file; (void)offset;
    ((cr_raw *)context)->data_errors++;
}

static void count_memory_error(void *context, const char *file, const char *where) {
    (void)file; (void)where;
    ((cr_raw *)context)->data_errors++;
}

cr_raw *cr_open(const char *path, int *status) {
    cr_raw *raw = calloc(1, sizeof *raw);
    if (!raw) { *status = LIBRAW_UNSUFFICIENT_MEMORY; return NULL; }
    raw->data = libraw_init(0);
    if (!raw->data) { free(raw); *status = LIBRAW_UNSUFFICIENT_MEMORY; return NULL; }
    libraw_set_dataerror_handler(raw->data, count_data_error, raw);
    libraw_set_memerror_handler(raw->data, count_memory_error, raw);
    *status = libraw_open_file(raw->data, path);
    if (*status != LIBRAW_SUCCESS) { cr_close(raw); return NULL; }
    return raw;
}

int cr_in_child(void (*body)(const char *argument), const char *argument, int timeout_ms) {
    pid_t child = fork();
    if (child < 0) return -2;
    if (child == 0) {
        // The glibc and LibRaw messages of a crash would land on the user's terminal.
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) { dup2(null, STDERR_FILENO); dup2(null, STDOUT_FILENO); }
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        // The parent's crash handlers (Swift's backtracer) would catch the crash and exit
        // normally; the signal must end the child so the parent can tell.
        int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
        for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++) signal(fatal[i], SIG_DFL);
        body(argument);
        _exit(0);
    }
    int status = 0;
    for (long waited = 0;; waited += 2) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        if (done < 0 && errno != EINTR) return 0;
        if (waited >= timeout_ms) {
            kill(child, SIGKILL);
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
            return -1;
        }
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

void cr_open_only(const char *path) {
    libraw_data_t *data = libraw_init(0);
    if (data) libraw_open_file(data, path);
}

void cr_close(cr_raw *raw) {
    if (!raw) return;
    libraw_close(raw->data);
    free(raw);
}

const char *cr_message(int status) { return libraw_strerror(status); }

void cr_get_info(const cr_raw *raw, cr_info *info) {
    const libraw_data_t *d = raw->data;
    memset(info, 0, sizeof *info);
    info->raw_width = d->sizes.raw_width;
    info->raw_height = d->sizes.raw_height;
    info->width = d->sizes.width;
    info->height = d->sizes.height;
    info->top_margin = d->sizes.top_margin;
    info->left_margin = d->sizes.left_margin;
    info->flip = d->sizes.flip;
    info->pixel_aspect = d->sizes.pixel_aspect;
    info->filters = d->idata.filters;
    info->colors = d->idata.colors;
    memcpy(info->cdesc, d->idata.cdesc, sizeof info->cdesc);
    info->cdesc[4] = 0;
    info->is_foveon = d->idata.is_foveon;
    info->dng_version = d->idata.dng_version;
    memcpy(info->make, d->idata.make, sizeof info->make);
    info->make[sizeof info->make - 1] = 0;
    memcpy(info->model, d->idata.model, sizeof info->model);
    info->model[sizeof info->model - 1] = 0;
    info->iso_speed = d->other.iso_speed;
    info->shutter = d->other.shutter;
    info->aperture = d->other.aperture;
    info->focal_len = d->other.focal_len;
    info->timestamp = (int64_t)d->other.timestamp;
    info->black = d->color.black;
    memcpy(info->cblack, d->color.cblack, sizeof info->cblack);
    info->maximum = d->color.maximum;
    memcpy(info->cam_mul, d->color.cam_mul, sizeof info->cam_mul);
    memcpy(info->pre_mul, d->color.pre_mul, sizeof info->pre_mul);
    memcpy(info->rgb_cam, d->color.rgb_cam, sizeof info->rgb_cam);
    memcpy(info->cam_xyz, d->color.cam_xyz, sizeof info->cam_xyz);
    for (int i = 0; i < 2; i++) {
        memcpy(info->dng_color_matrix[i], d->color.dng_color[i].colormatrix, sizeof info->dng_color_matrix[i]);
        info->dng_illuminant[i] = d->color.dng_color[i].illuminant;
    }
}

int cr_color(cr_raw *raw, int row, int col) { return libraw_COLOR(raw->data, row, col); }

unsigned cr_black_pattern(const cr_raw *raw, unsigned index) {
    return index < LIBRAW_CBLACK_SIZE - 6 ? raw->data->color.cblack[6 + index] : 0;
}

int cr_unpack(cr_raw *raw) { return libraw_unpack(raw->data); }

int cr_data_errors(const cr_raw *raw) { return raw->data_errors; }

const uint16_t *cr_mosaic(const cr_raw *raw, size_t *pitch) {
    *pitch = raw->data->sizes.raw_pitch / sizeof(uint16_t);
    return raw->data->rawdata.raw_image;
}

int cr_develop(cr_raw *raw, const cr_develop_settings *settings, cr_image *image) {
    libraw_output_params_t *params = &raw->data->params;
    params->output_bps = settings->bits;
    params->user_flip = settings->flip;
    params->gamm[0] = settings->gamma_power;
    params->gamm[1] = settings->gamma_slope;
    params->use_camera_wb = settings->camera_white_balance;
    params->no_auto_bright = !settings->auto_bright;
    params->output_color = 1; /* sRGB primaries */
    int status = libraw_dcraw_process(raw->data);
    if (status != LIBRAW_SUCCESS) return status;
    libraw_processed_image_t *made = libraw_dcraw_make_mem_image(raw->data, &status);
    if (!made) return status != LIBRAW_SUCCESS ? status : LIBRAW_UNSUFFICIENT_MEMORY;
    if (made->type != LIBRAW_IMAGE_BITMAP) {
        libraw_dcraw_clear_mem(made);
        return LIBRAW_UNSPECIFIED_ERROR;
    }
    image->width = made->width;
    image->height = made->height;
    image->colors = made->colors;
    image->bits = made->bits;
    image->data = made->data;
    image->size = made->data_size;
    image->owner = made;
    return LIBRAW_SUCCESS;
}

void cr_image_free(cr_image *image) {
    if (image->owner) libraw_dcraw_clear_mem(image->owner);
    image->owner = NULL;
    image->data = NULL;
}
