// zlib's inflate API for Swift (MAT-file compressed elements).
#include <zlib.h>
