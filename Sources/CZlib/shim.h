#include <zlib.h>

/* inflateInit is a macro: a function Swift can call. */
static inline int czlib_inflate_init(z_stream *strm) { return inflateInit(strm); }
