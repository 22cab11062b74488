#ifndef CPCRE2_H
#define CPCRE2_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

/// PCRE2_UNSET and PCRE2_ZERO_TERMINATED are casts Swift does not import.
#define CPCRE2_UNSET ((size_t)-1)

static inline size_t CPCRE2_unset(void) { return PCRE2_UNSET; }
#endif
