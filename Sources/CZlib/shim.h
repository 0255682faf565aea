#include <zlib.h>

/* inflateInit is a macro: a function Swift can call. */
static inline int czlib_inflate_init(z_stream *strm) { return inflateInit(strm); }

/* inflateInit2 with a gzip header: windowBits 15, +16 asks for the gzip wrapper. */
static inline int czlib_inflate_init_gzip(z_stream *strm) { return inflateInit2(strm, 15 + 16); }
