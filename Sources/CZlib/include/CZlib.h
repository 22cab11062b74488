#ifndef CZLIB_H
#define CZLIB_H
#include <zlib.h>

/// inflateInit2 is a macro; Swift needs a function. windowBits 15+32 makes
/// zlib accept both gzip and zlib headers; we pass 15+16 for gzip only.
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
