/* Findings: the records in which failures and diagnoses travel up. */
#include "stprog/finding.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void stp_findings_init(stp_findings *list)
{
    memset(list, 0, sizeof(*list));
}

void stp_findings_free(stp_findings *list)
{
    if (list == NULL)
        return;
    stp_free(list->items);
    memset(list, 0, sizeof(*list));
}

void stp_findings_clear(stp_findings *list)
{
    if (list != NULL)
        list->count = 0;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

stp_finding *stp_finding_add(stp_findings *list, const char *id, stp_severity sev, const char *fmt,
                             ...)
{
    if (list == NULL)
        return NULL;
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? list->capacity * 2 : 8;
        stp_finding *items = stp_realloc_array(list->items, cap, sizeof(*items));
        if (items == NULL) {
            list->dropped++;
            return NULL;
        }
        list->items = items;
        list->capacity = cap;
    }
    stp_finding *f = &list->items[list->count++];
    memset(f, 0, sizeof(*f));
    copy_text(f->id, sizeof(f->id), id);
    f->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    return f;
}

void stp_finding_evidence(stp_finding *f, const char *key, const char *fmt, ...)
{
    if (f == NULL || f->evidence_count >= STP_EVIDENCE_MAX)
        return;
    stp_evidence *e = &f->evidence[f->evidence_count++];
    copy_text(e->key, sizeof(e->key), key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->value, sizeof(e->value), fmt, ap);
    va_end(ap);
}

void stp_finding_advice(stp_finding *f, const char *fmt, ...)
{
    if (f == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->advice, sizeof(f->advice), fmt, ap);
    va_end(ap);
}

void stp_finding_join_evidence(stp_finding *dst, const stp_finding *src)
{
    if (dst == NULL || src == NULL)
        return;
    for (size_t i = 0; i < src->evidence_count && dst->evidence_count < STP_EVIDENCE_MAX; i++) {
        bool have = false;
        for (size_t k = 0; k < dst->evidence_count && !have; k++)
            have = strcmp(dst->evidence[k].key, src->evidence[i].key) == 0;
        if (!have)
            dst->evidence[dst->evidence_count++] = src->evidence[i];
    }
}

const stp_finding *stp_findings_find(const stp_findings *list, const char *id)
{
    if (list == NULL || id == NULL)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i].id, id) == 0)
            return &list->items[i];
    }
    return NULL;
}

stp_severity stp_findings_worst(const stp_findings *list)
{
    stp_severity worst = STP_SEV_INFO;
    for (size_t i = 0; list != NULL && i < list->count; i++) {
        if (list->items[i].severity > worst)
            worst = list->items[i].severity;
    }
    return worst;
}

void stp_findings_append(stp_findings *dst, const stp_findings *src)
{
    for (size_t i = 0; dst != NULL && src != NULL && i < src->count; i++) {
        stp_finding *f = stp_finding_add(dst, src->items[i].id, src->items[i].severity, "%s",
                                         src->items[i].message);
        if (f != NULL)
            *f = src->items[i];
    }
}

const char *stp_severity_name(stp_severity sev)
{
    switch (sev) {
    case STP_SEV_INFO:
        return "info";
    case STP_SEV_WARNING:
        return "warning";
    case STP_SEV_ERROR:
        return "error";
    }
    return "unknown";
}
