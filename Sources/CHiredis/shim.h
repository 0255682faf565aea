#include <hiredis/hiredis.h>
#include <sys/socket.h>

/* The context's error message is a fixed C array (imported as a tuple): hand out a pointer. */
static inline const char *chiredis_errstr(const redisContext *c) { return c->errstr; }
