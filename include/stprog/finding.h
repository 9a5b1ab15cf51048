/* stprog — findings: {id, severity, message, evidence, advice}. Failures travel up as a
 * status plus findings; ids are stable dotted names ("power.voltage-low") documented in
 * docs/findings.md so scripts and tests can rely on them. */
#ifndef STPROG_FINDING_H
#define STPROG_FINDING_H

#include <stddef.h>
#include <stdarg.h>

#include "stprog/status.h"

typedef enum stp_severity {
    STP_SEV_INFO = 0,
    STP_SEV_WARNING = 1,
    STP_SEV_ERROR = 2,
} stp_severity;

#define STP_FINDING_ID_MAX     48
#define STP_FINDING_TEXT_MAX   320
#define STP_EVIDENCE_KEY_MAX   32
#define STP_EVIDENCE_VALUE_MAX 128
#define STP_EVIDENCE_MAX       10

typedef struct stp_evidence {
    char key[STP_EVIDENCE_KEY_MAX];
    char value[STP_EVIDENCE_VALUE_MAX];
} stp_evidence;

typedef struct stp_finding {
    char id[STP_FINDING_ID_MAX];
    stp_severity severity;
    char message[STP_FINDING_TEXT_MAX];
    char advice[STP_FINDING_TEXT_MAX];
    size_t evidence_count;
    stp_evidence evidence[STP_EVIDENCE_MAX];
} stp_finding;

/* A growable list of findings. Zero-initialised is a valid empty list. */
typedef struct stp_findings {
    stp_finding *items;
    size_t count;
    size_t capacity;
    int dropped; /* findings lost to allocation failure */
} stp_findings;

void stp_findings_init(stp_findings *list);
void stp_findings_free(stp_findings *list);
void stp_findings_clear(stp_findings *list);

/* Adds a finding and returns it (for evidence/advice), or NULL when list is NULL or memory
 * ran out (counted in list->dropped). Message is printf-style. Safe to call with list==NULL. */
stp_finding *stp_finding_add(stp_findings *list, const char *id, stp_severity sev, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
/* Appends "key = value" evidence; ignored when f is NULL or evidence is full. */
void stp_finding_evidence(stp_finding *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets the advice (next step for the user); ignored when f is NULL. */
void stp_finding_advice(stp_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds to dst each evidence of src whose key dst lacks, while there is room: two reports of
 * one fact (the same id) become one finding. Ignored when either is NULL. */
void stp_finding_join_evidence(stp_finding *dst, const stp_finding *src);

/* First finding with this id, or NULL. */
const stp_finding *stp_findings_find(const stp_findings *list, const char *id);
/* Highest severity present (STP_SEV_INFO when empty). */
stp_severity stp_findings_worst(const stp_findings *list);
/* Appends copies of all findings of src to dst. */
void stp_findings_append(stp_findings *dst, const stp_findings *src);

const char *stp_severity_name(stp_severity sev);

#endif
