/* The uart: probe (ROM bootloader over a serial port), see probe/an3155_probe.c. */
#ifndef STP_PROBE_AN3155_PROBE_H
#define STP_PROBE_AN3155_PROBE_H

#include "probe/debug.h"

/* Opens "uart:PATH[,k=v...]": the port, BOOT0/NRST sequence if wired, 0x7F, Get, Get ID.
 * The chip is identified by then: a silent line is link.no-target. */
stp_status stp_an3155_probe_open(const char *spec, const stp_env *env, stp_debug **out,
                                 stp_findings *findings);

#endif
