/* What the ST-Link driver knows about its probe's firmware releases, for the doctor's probe
 * check (stp_debug_ops.firmware_check): the JTAG firmware number at which each API feature
 * stprog uses arrived on V2/V2-1 (the version gates every host tool uses; STLINK-V3 has all
 * of them), and the STLINK-V3 release that fixed seed 004's "Flash loader cannot be
 * loaded". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/stlink.h"

typedef struct fw_feature {
    unsigned jtag;
    const char *what;
} fw_feature;

static const fw_feature v2_features[] = {
    {13, "target voltage measurement"},
    {15, "fault address of failed memory accesses"},
    {22, "SWD clock selection"},
    {24, "debug-port register access"},
    {26, "16-bit memory access"},
    {28, "access-port initialisation (multi-AP chips)"},
    {29, "correct error codes when closing an access port"},
    {32, "banked debug-port registers (DPv2)"},
};

/* The last V2 release's JTAG number: older ones have every feature but miss fixes. */
#define V2_CURRENT_JTAG 45u

/* STLINK-V3: V3J16M8 is the release after which users reported "Flash loader cannot be
 * loaded" gone (seed 004: CubeProgrammer and a V3 updated to V3J16M8). Versions compare by
 * the JTAG number, then the M (mass storage) number: "V3J7M3" < "V3J16M8". */
#define V3_FIXED_JTAG 16u
#define V3_FIXED_MSD  8u

static int v3_check(const stp_stlink *s, stp_findings *f, char *note, size_t len)
{
    const char *fw = s->base.info.firmware;
    unsigned jtag = s->ver_jtag, msd = s->ver_msd;
    if (jtag > V3_FIXED_JTAG || (jtag == V3_FIXED_JTAG && msd >= V3_FIXED_MSD))
        return -1;
    stp_finding *fi = stp_finding_add(f, "probe.firmware-old", STP_SEV_WARNING,
                                      "the probe runs old STLINK-V3 firmware %s: users saw "
                                      "\"Flash loader cannot be loaded\" go away after "
                                      "updating to V3J%uM%u",
                                      fw, V3_FIXED_JTAG, V3_FIXED_MSD);
    stp_finding_evidence(fi, "firmware", "%s", fw);
    stp_finding_evidence(fi, "jtag_version", "%u", jtag);
    stp_finding_evidence(fi, "fixed_in", "V3J%uM%u (seed 004)", V3_FIXED_JTAG, V3_FIXED_MSD);
    stp_finding_advice(fi, "update the probe with ST's STSW-LINK007 firmware upgrade tool (or "
                           "STM32CubeProgrammer's firmware upgrade)");
    snprintf(note, len, "old: V3J%uM%u and later fix known problems", V3_FIXED_JTAG, V3_FIXED_MSD);
    return STP_SEV_WARNING;
}

int stl_firmware_check(stp_debug *d, stp_findings *f, char *note, size_t len)
{
    stp_stlink *s = (stp_stlink *)d;
    const char *fw = s->base.info.firmware;
    if (s->ver_stlink >= 3)
        return v3_check(s, f, note, len);
    if (s->ver_stlink != 2)
        return -1;
    unsigned jtag = s->ver_jtag;
    char missing[256];
    size_t used = 0;
    missing[0] = '\0';
    for (size_t i = 0; i < sizeof(v2_features) / sizeof(v2_features[0]); i++) {
        if (jtag >= v2_features[i].jtag)
            continue;
        int k = snprintf(missing + used, sizeof(missing) - used, "%s%s (J%u)", used ? ", " : "",
                         v2_features[i].what, v2_features[i].jtag);
        if (k > 0 && (size_t)k < sizeof(missing) - used)
            used += (size_t)k;
    }
    stp_finding *fi;
    int sev;
    if (used > 0) {
        fi = stp_finding_add(f, "probe.firmware-old", STP_SEV_WARNING,
                             "the probe runs old firmware %s: it lacks %s", fw, missing);
        stp_finding_evidence(fi, "missing", "%s", missing);
        snprintf(note, len, "old: lacks %s", missing);
        sev = STP_SEV_WARNING;
    } else if (jtag < V2_CURRENT_JTAG) {
        /* Every API feature is there; later releases fixed bugs only. */
        fi = stp_finding_add(f, "probe.firmware-old", STP_SEV_INFO,
                             "the probe runs firmware %s: every feature stprog uses is there, "
                             "later releases carry fixes",
                             fw);
        snprintf(note, len, "older release, all features present");
        sev = STP_SEV_INFO;
    } else {
        return -1;
    }
    stp_finding_evidence(fi, "firmware", "%s", fw);
    stp_finding_evidence(fi, "jtag_version", "%u", jtag);
    stp_finding_advice(fi, "update the probe with ST's STSW-LINK007 firmware upgrade tool "
                           "(clones may not accept it)");
    return sev;
}
