/* Option-byte helpers shared by the flash drivers: WRP bit sets, the generic keys (rdp,
 * wrp, wrp+, wrp-), and the user option fields of the family's table (chipdb
 * stp_family.user_options): shown, set by KEY=VALUE, and listed when a key is unknown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/flash.h"

void stp_option_wrp_set(stp_option_bytes *ob, uint32_t bit, bool protect)
{
    if (bit >= STP_WRP_BITS)
        return;
    if (protect)
        ob->wrp[bit / 8] |= (uint8_t)(1u << (bit % 8));
    else
        ob->wrp[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

bool stp_option_wrp_get(const stp_option_bytes *ob, uint32_t bit)
{
    return bit < STP_WRP_BITS && (ob->wrp[bit / 8] >> (bit % 8)) & 1u;
}

bool stp_parse_u32(const char *text, uint32_t *out)
{
    if (text == NULL || *text == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0' || v > 0xFFFFFFFFull || text[0] == '-')
        return false;
    *out = (uint32_t)v;
    return true;
}

static stp_status bad_value(stp_findings *findings, const char *key, const char *value,
                            const char *accepted)
{
    stp_finding *fd = stp_finding_add(findings, "option.bad-value", STP_SEV_ERROR,
                                      "option %s: '%s' is not a valid value", key, value);
    stp_finding_evidence(fd, "key", "%s", key);
    stp_finding_evidence(fd, "value", "%s", value);
    stp_finding_advice(fd, "accepted: %s", accepted);
    return STP_ERR_INVALID_ARG;
}

bool stp_option_set_common(const stp_flash *f, stp_option_bytes *ob, const char *key,
                           const char *value, stp_findings *findings, stp_status *st)
{
    uint32_t v = 0;
    *st = STP_OK;
    if (strcmp(key, "rdp") == 0) {
        if (!stp_parse_u32(value, &v) || v > 2) {
            *st =
                bad_value(findings, key, value, f->chip->fam->rdp_level2 ? "0, 1 or 2" : "0 or 1");
        } else if (v == 2 && !f->chip->fam->rdp_level2) {
            stp_finding *fd =
                stp_finding_add(findings, "option.unsupported", STP_SEV_ERROR,
                                "STM32%s has no read-protection level 2", f->chip->family);
            stp_finding_advice(fd, "use rdp=1");
            *st = STP_ERR_UNSUPPORTED;
        } else {
            ob->rdp_level = (int)v;
        }
        return true;
    }
    if (strcmp(key, "wrp") == 0) {
        /* MASK over the protection units; "none" and "all" as words. */
        if (strcmp(value, "none") == 0) {
            memset(ob->wrp, 0, sizeof(ob->wrp));
        } else if (strcmp(value, "all") == 0) {
            for (uint32_t i = 0; i < ob->wrp_bits; i++)
                stp_option_wrp_set(ob, i, true);
        } else {
            char *end = NULL;
            unsigned long long m = strtoull(value, &end, 0);
            if (end == value || *end != '\0' || (ob->wrp_bits < 64 && (m >> ob->wrp_bits) != 0)) {
                *st = bad_value(findings, key, value,
                                "a bit mask over the protection units (bit n = unit n), "
                                "'none' or 'all'");
                return true;
            }
            memset(ob->wrp, 0, sizeof(ob->wrp));
            for (uint32_t i = 0; i < 64 && i < ob->wrp_bits; i++)
                stp_option_wrp_set(ob, i, (m >> i) & 1u);
        }
        return true;
    }
    if (strcmp(key, "wrp+") == 0 || strcmp(key, "wrp-") == 0) {
        if (!stp_parse_u32(value, &v) || v >= ob->wrp_bits)
            *st = bad_value(findings, key, value, "a protection unit number (see `show`)");
        else
            stp_option_wrp_set(ob, v, key[3] == '+');
        return true;
    }
    return false;
}

static uint32_t field_mask(const stp_option_def *d)
{
    return (d->width >= 32 ? 0xFFFFFFFFu : (1u << d->width) - 1u) << d->shift;
}

/* The user option fields of a chip: its family's, then its part line's bank options. */
static size_t user_def_count(const stp_chip *c)
{
    return (size_t)c->fam->user_option_count + c->bank_option_count;
}

static const stp_option_def *user_def(const stp_chip *c, size_t i)
{
    if (i < c->fam->user_option_count)
        return &c->fam->user_options[i];
    return &c->bank_options[i - c->fam->user_option_count];
}

size_t stp_option_user_fields(const stp_flash *f, const stp_option_bytes *ob, stp_option_field *out,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < user_def_count(f->chip) && n < max; i++, n++) {
        const stp_option_def *d = user_def(f->chip, i);
        uint32_t v = (ob->user & field_mask(d)) >> d->shift;
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].key, sizeof(out[n].key), "%s", d->key);
        snprintf(out[n].value, sizeof(out[n].value), "%u", (unsigned)v);
        if (d->width == 1 || !d->volts[0]) { /* a flag, or a level without volt labels */
            snprintf(out[n].meaning, sizeof(out[n].meaning), "%s", d->meaning);
            continue;
        }
        /* A level: "<quantity> 2.0 V (0..3 = 2.0, 2.2, 2.5, 2.8 V)" */
        size_t used = (size_t)snprintf(
            out[n].meaning, sizeof(out[n].meaning), "%s %s V (0..%u = ", d->meaning,
            v < 8 && d->volts[v] ? d->volts[v] : "(reserved)", (unsigned)d->max);
        for (unsigned k = 0; k <= d->max && k < 8 && used < sizeof(out[n].meaning); k++)
            used += (size_t)snprintf(out[n].meaning + used, sizeof(out[n].meaning) - used, "%s%s",
                                     k ? ", " : "", d->volts[k] ? d->volts[k] : "?");
        if (used < sizeof(out[n].meaning))
            snprintf(out[n].meaning + used, sizeof(out[n].meaning) - used, " V)");
    }
    return n;
}

bool stp_option_set_user(const stp_flash *f, stp_option_bytes *ob, const char *key,
                         const char *value)
{
    uint32_t v = 0;
    if (!stp_parse_u32(value, &v))
        return false;
    for (size_t i = 0; i < user_def_count(f->chip); i++) {
        const stp_option_def *d = user_def(f->chip, i);
        if (strcmp(key, d->key) == 0 && v <= d->max) {
            ob->user = (ob->user & ~field_mask(d)) | (v << d->shift);
            return true;
        }
    }
    return false;
}

stp_status stp_option_unknown_key(const stp_flash *f, const char *key, const char *value,
                                  const char *extra_keys, stp_findings *findings)
{
    const stp_family *fam = f->chip->fam;
    char keys[512];
    int used =
        snprintf(keys, sizeof(keys), "rdp=0|1%s, wrp=MASK|none|all, wrp+=N, wrp-=N%s%s",
                 fam->rdp_level2 ? "|2" : "", extra_keys ? ", " : "", extra_keys ? extra_keys : "");
    for (size_t i = 0; i < user_def_count(f->chip) && used > 0 && (size_t)used < sizeof(keys);
         i++) {
        const stp_option_def *d = user_def(f->chip, i);
        used += snprintf(keys + used, sizeof(keys) - (size_t)used, ", %s=%s%u", d->key,
                         d->width == 1 ? "0|" : "0..", (unsigned)d->max);
    }
    stp_finding *fd = stp_finding_add(findings, "option.unknown-key", STP_SEV_ERROR,
                                      "option '%s=%s' is not known or not valid on %s", key, value,
                                      f->chip->family);
    stp_finding_advice(fd, "keys: %s", keys);
    return STP_ERR_INVALID_ARG;
}

size_t stp_option_boot_fields(const stp_option_bytes *ob, unsigned addr_shift,
                              stp_option_field *out, size_t n, size_t max)
{
    const uint16_t addr[2] = {ob->boot_add0, ob->boot_add1};
    for (unsigned i = 0; i < 2 && n < max; i++, n++) {
        out[n] = (stp_option_field){{0}, {0}, {0}};
        snprintf(out[n].key, sizeof(out[n].key), "boot_add%u", i);
        snprintf(out[n].value, sizeof(out[n].value), "0x%04X", (unsigned)addr[i]);
        snprintf(out[n].meaning, sizeof(out[n].meaning), "boot address with BOOT%s=%u (addr >> %u)",
                 addr_shift == 14 ? "0" : "", i, addr_shift);
    }
    return n;
}

bool stp_option_set_boot(stp_option_bytes *ob, const char *key, const char *value)
{
    uint32_t v = 0;
    if (!stp_parse_u32(value, &v) || v > 0xFFFF)
        return false;
    if (strcmp(key, "boot_add0") == 0)
        ob->boot_add0 = (uint16_t)v;
    else if (strcmp(key, "boot_add1") == 0)
        ob->boot_add1 = (uint16_t)v;
    else
        return false;
    return true;
}
