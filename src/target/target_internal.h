/* The target handle's insides, shared by target/ and ops/ (never by the CLI). */
#ifndef STP_TARGET_INTERNAL_H
#define STP_TARGET_INTERNAL_H

#include "stprog/target.h"
#include "target/flash.h"
#include "target/identify.h"

struct stp_target {
    stp_debug *dbg;
    stp_identity id;
    stp_target_info info;
    stp_flash flash;     /* session for the identified chip */
    stp_sector *sectors; /* erase units in address order */
    stp_flash_region *regions;
    size_t sector_count;
    bool protection_known;
    bool was_running; /* the core ran when we attached (normal connect halted it) */
    bool changed;     /* flash, option bytes or core state changed: leave the core as is */
};

/* Marks the target changed (programmed, erased, reset...): detach leaves the core halted
 * or as the operation left it instead of resuming the program it interrupted. */
void stp_target_mark_changed(stp_target *t);

/* Marks regions[] protected from decoded option bytes. */
void stp_target_apply_protection(stp_target *t, const stp_option_bytes *ob);

#endif
