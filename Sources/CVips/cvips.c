#include "cvips.h"
int cv_placeholder(void) { return 0; }
