/* The memory image's private layout, shared by image.c (segments, direct adds, queries) and
 * image_defer.c (out-of-order pieces, merged in one sorted pass). */
#ifndef STP_FORMATS_IMAGE_PRIV_H
#define STP_FORMATS_IMAGE_PRIV_H

#include "formats/image_internal.h"

#define STP_ADDR_SPACE (UINT64_C(1) << 32)

/* A segment's bytes live at buf + head; head is free room in front, so that pieces added in
 * descending address order are prepended in amortised constant time too. */
typedef struct stp_seg {
    uint32_t addr;
    uint32_t size;
    size_t head;
    size_t cap;
    uint8_t *buf;
} stp_seg;

/* One added piece's origin: 16 bytes, so a 16 MiB Intel HEX file costs ~16 MB of origins.
 * name_kind packs the name index (bits 0-28), a "deferred" flag (bit 29: the bytes are not
 * in a segment yet) and the origin kind (bits 30-31). */
typedef struct stp_run {
    uint32_t addr;
    uint32_t len;
    uint32_t name_kind;
    uint32_t n;
} stp_run;

#define RUN_KIND_SHIFT 30
#define RUN_DEFERRED   (UINT32_C(1) << 29)
#define RUN_NAME_MASK  (RUN_DEFERRED - 1)

/* An out-of-order piece waiting in the arena for stp_image_settle. */
typedef struct stp_piece {
    uint64_t addr;
    size_t off; /* into arena */
    uint32_t len;
    uint32_t run; /* index into runs */
} stp_piece;

struct stp_image {
    stp_seg *segs;
    size_t nsegs, capsegs;
    stp_run *runs;
    size_t nruns, capruns;
    char **names;
    size_t nnames, capnames;
    stp_piece *pend;
    size_t npend, cappend;
    uint8_t *arena;
    size_t arena_len, arena_cap;
    uint64_t total;     /* bytes in segments */
    uint64_t max_bytes; /* data the image may hold; 0: no limit (stp_image_set_max_bytes) */
    char max_what[96];  /* what that limit is, for the finding */
    bool has_entry;
    uint32_t entry;
    stp_format source_format; /* of the last successful parse */
};

static inline uint8_t *stp_seg_data(const stp_seg *s)
{
    return s->buf + s->head;
}

/* Grows *arr (of elem bytes each) so that it holds at least need elements. */
bool stp_grow_array(void **arr, size_t *cap, size_t need, size_t elem);

/* Records where a piece came from; deferred marks pieces not yet in a segment. Returns the run
 * index, or (size_t)-1 on allocation failure. */
size_t stp_image_log_run(stp_image *img, uint64_t addr, size_t len, const char *name,
                         stp_origin_kind kind, uint32_t n, bool deferred);

/* The origin of the most recent piece in a segment (not deferred) that covers addr. */
void stp_image_describe_owner(const stp_image *img, uint32_t addr, char *buf, size_t cap);
void stp_image_describe_run(const stp_image *img, size_t run, char *buf, size_t cap);

/* Out-of-order pieces (image_defer.c). */
stp_status stp_image_defer(stp_image *img, uint64_t addr, const void *data, size_t len,
                           const char *name, stp_origin_kind kind, uint32_t n);
void stp_image_discard_pending(stp_image *img);

#endif
