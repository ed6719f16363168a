// Placeholder: the C layer over libvips lands with the photo I/O work.
#pragma once
int cv_placeholder(void);
