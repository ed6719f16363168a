// libvips as a system module: its compile and link flags (GLib's include folders among
// them) come from pkg-config's `vips` entry, which Debian's libvips-dev installs.
#include <vips/vips.h>
