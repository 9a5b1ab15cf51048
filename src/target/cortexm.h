/* Cortex-M core control through the debug seam: halt, run, step, reset with vector
 * catch, CPUID decoding. Registers from the ARMv7-M / ARMv6-M Architecture Reference
 * Manuals (C1.6 "Debug system registers", B3.2 "System control block"). */
#ifndef STP_TARGET_CORTEXM_H
#define STP_TARGET_CORTEXM_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/debug.h"
#include "stprog/target.h"
#include "chipdb/chipdb.h"

#define STP_CM_CPUID 0xE000ED00u
#define STP_CM_AIRCR 0xE000ED0Cu
#define STP_CM_DHCSR 0xE000EDF0u
#define STP_CM_DCRSR 0xE000EDF4u
#define STP_CM_DCRDR 0xE000EDF8u
#define STP_CM_DEMCR 0xE000EDFCu

#define STP_CM_DHCSR_DBGKEY     0xA05F0000u
#define STP_CM_DHCSR_C_DEBUGEN  (1u << 0)
#define STP_CM_DHCSR_C_HALT     (1u << 1)
#define STP_CM_DHCSR_C_STEP     (1u << 2)
#define STP_CM_DHCSR_C_MASKINTS (1u << 3)
#define STP_CM_DHCSR_S_REGRDY   (1u << 16)
#define STP_CM_DHCSR_S_HALT     (1u << 17)
#define STP_CM_DHCSR_S_SLEEP    (1u << 18)
#define STP_CM_DHCSR_S_LOCKUP   (1u << 19)
#define STP_CM_DHCSR_S_RESET_ST (1u << 25)

#define STP_CM_DEMCR_VC_CORERESET (1u << 0)
#define STP_CM_DEMCR_VC_HARDERR   (1u << 10) /* ARMv6-M and ARMv7-M alike */
#define STP_CM_DEMCR_TRCENA       (1u << 24)

#define STP_CM_AIRCR_VECTKEY     0x05FA0000u
#define STP_CM_AIRCR_VECTRESET   (1u << 0)
#define STP_CM_AIRCR_SYSRESETREQ (1u << 2)

/* Core kind from CPUID's part number; false for a part number we do not know. */
bool stp_cm_core_from_cpuid(uint32_t cpuid, stp_core_kind *core);

stp_status stp_cm_halt(stp_debug *d, stp_findings *findings);
stp_status stp_cm_run(stp_debug *d, stp_findings *findings);
stp_status stp_cm_step(stp_debug *d, stp_findings *findings);
stp_status stp_cm_is_halted(stp_debug *d, bool *halted, stp_findings *findings);
/* Resets the chip (mode) and, with halt, stops at the first instruction (vector catch).
 * A hardware reset that leaves no trace in DHCSR.S_RESET_ST is reported as
 * reset.nrst-no-effect and retried as a software reset. */
stp_status stp_cm_reset(stp_debug *d, stp_core_kind core, stp_reset_mode mode, bool halt,
                        stp_findings *findings);

#endif
