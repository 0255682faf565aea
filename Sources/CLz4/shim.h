#include <lz4frame.h>

/* LZ4F_VERSION is a macro: a function Swift can call. */
static inline unsigned clz4_frame_version(void) { return LZ4F_VERSION; }
