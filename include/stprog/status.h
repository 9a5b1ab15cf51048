/* stprog — status codes: the one way success and failure travel up.
 * 0 is success; every failure has its own code. Raw probe status bytes are mapped to these
 * once, at the protocol boundary. */
#ifndef STPROG_STATUS_H
#define STPROG_STATUS_H

typedef enum stp_status {
    STP_OK = 0,
    STP_ERR_NOMEM,            /* allocation failed */
    STP_ERR_INVALID_ARG,      /* caller passed something unusable (bad option, bad address) */
    STP_ERR_IO,               /* file or OS I/O error */
    STP_ERR_FORMAT,           /* malformed input file (bad record, checksum, header) */
    STP_ERR_RANGE,            /* address/length outside what is allowed */
    STP_ERR_OVERLAP,          /* two pieces of data claim the same bytes */
    STP_ERR_UNSUPPORTED,      /* not supported by this chip/probe/format */
    STP_ERR_NO_PROBE,         /* no debug probe found */
    STP_ERR_PROBE_AMBIGUOUS,  /* several probes and no serial given */
    STP_ERR_PROBE_BUSY,       /* probe used by another process */
    STP_ERR_PERMISSION,       /* no permission to open the probe or file */
    STP_ERR_USB,              /* USB transfer failed (unplugged, stall) */
    STP_ERR_PROTOCOL,         /* probe/bootloader/GDB peer answered something unexpected */
    STP_ERR_TIMEOUT,          /* a deadline passed (poll loop, transfer) */
    STP_ERR_NO_TARGET,        /* probe answers, target does not */
    STP_ERR_TARGET_FAULT,     /* bus fault / AP fault on a target access */
    STP_ERR_WAIT,             /* target kept answering WAIT after retries */
    STP_ERR_FIRMWARE_OLD,     /* probe firmware lacks a needed feature */
    STP_ERR_UNKNOWN_CHIP,     /* device ID not in the chip database */
    STP_ERR_PROTECTED,        /* read/write protection prevents the operation */
    STP_ERR_FLASH,            /* flash controller reported an error */
    STP_ERR_VERIFY,           /* read-back differs from what was written */
    STP_ERR_POWER,            /* target power problem detected */
    STP_ERR_CANCELLED,        /* user or caller cancelled */
    STP_ERR_STATE,            /* operation not allowed in the current state */
    STP_ERR_INTERNAL,         /* a bug in stprog */
    STP_ERR_FIRMWARE_CRASHED, /* the firmware run by `run` faulted, locked up or reset */
    STP_STATUS_COUNT
} stp_status;

/* Stable lower-case name, e.g. "timeout". Never NULL. */
const char *stp_status_name(stp_status st);
/* One-line human description. Never NULL. */
const char *stp_status_describe(stp_status st);

/* Process exit codes documented in README and --help. */
enum stp_exit_code {
    STP_EXIT_OK = 0,
    STP_EXIT_FAILED = 1,    /* the operation failed */
    STP_EXIT_USAGE = 2,     /* bad command line or input file */
    STP_EXIT_NO_DEVICE = 3, /* no probe or no target found */
    STP_EXIT_PROTECTED = 4, /* read/write protection */
    STP_EXIT_VERIFY = 5,    /* verify mismatch */
};

/* Map a status to the documented process exit code. */
int stp_status_exit_code(stp_status st);

#endif
