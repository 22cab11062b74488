#ifndef CZLIB_H
#define CZLIB_H
#include <zlib.h>

/// inflateInit2 is a macro; Swift needs a function. windowBits 15+32 makes
/// zlib accept both gzip and zlib headers; we pass 15+16 for gzip only.
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

/// deflateInit2 is a macro too; used by tests to build gzip members.
static inline int CZlib_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
