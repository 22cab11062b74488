#ifndef CISAL_H
#define CISAL_H
#include <stdint.h>
#include <stdlib.h>
#include <isa-l/igzip_lib.h>

/// ISA-L's igzip inflater behind four functions, so Swift sees one opaque
/// pointer and none of inflate_state's large layout. gzip wrapper mode: the
/// header and trailer (CRC, size) are parsed and checked by ISA-L.
static inline struct inflate_state *CISAL_create(void) {
    struct inflate_state *state = malloc(sizeof(struct inflate_state));
    if (state == NULL) return NULL;
    isal_inflate_init(state);
    state->crc_flag = ISAL_GZIP;
    return state;
}

/// Prepares for the next gzip member.
static inline void CISAL_reset(struct inflate_state *state) {
    isal_inflate_reset(state);
    state->crc_flag = ISAL_GZIP;
}

/// One inflate call. Returns ISA-L's code (< 0 is an error); sets how much was
/// consumed and produced, and whether the member is complete (trailer checked).
static inline int CISAL_step(struct inflate_state *state, const uint8_t *input, uint32_t input_length,
                             uint8_t *output, uint32_t output_length,
                             uint32_t *consumed, uint32_t *produced, int *finished) {
    state->next_in = (uint8_t *)input;
    state->avail_in = input_length;
    state->next_out = output;
    state->avail_out = output_length;
    int code = isal_inflate(state);
    *consumed = input_length - state->avail_in;
    *produced = output_length - state->avail_out;
    *finished = state->block_state == ISAL_BLOCK_FINISH;
    return code;
}

static inline void CISAL_destroy(struct inflate_state *state) { free(state); }
#endif
