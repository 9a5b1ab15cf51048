/* stprog-program: writes a firmware file into an STM32 through libstprog, then checks it.
 * A program outside the stprog tree that uses only the installed library:
 *
 *     cc -o stprog-program program.c $(pkg-config --cflags --libs stprog)
 *     ./stprog-program sim:stm32f407vg,state=board.img blinky_f407.hex
 *     ./stprog-program stlink firmware.elf
 *
 * PROBE is what `stprog --probe` takes; FILE is ELF, Intel HEX, S-record or raw binary
 * (a .bin goes to the start of the flash, 0x08000000). Exit codes as stprog's. */
#include <stdio.h>

#include <stprog/image.h>
#include <stprog/ops.h>
#include <stprog/probe.h>
#include <stprog/target.h>

static void log_line(void *user, stp_log_level level, const char *message)
{
    (void)user;
    fprintf(stderr, "%s: %s\n", level == STP_LOG_ERROR ? "error" : "note", message);
}

static void progress_line(void *user, const stp_progress *event)
{
    (void)user;
    if (event->kind == STP_PROGRESS_END)
        fprintf(stderr, "  %s: %llu bytes\n", event->phase, (unsigned long long)event->done);
}

/* The library's findings: message, evidence, advice. */
static void print_findings(const stp_findings *findings)
{
    for (size_t i = 0; i < findings->count; i++) {
        const stp_finding *f = &findings->items[i];
        fprintf(stderr, "%s: %s [%s]\n", stp_severity_name(f->severity), f->message, f->id);
        for (size_t k = 0; k < f->evidence_count; k++)
            fprintf(stderr, "    %s: %s\n", f->evidence[k].key, f->evidence[k].value);
        if (f->advice[0] != '\0')
            fprintf(stderr, "    advice: %s\n", f->advice);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PROBE FILE\n", argv[0]);
        return STP_EXIT_USAGE;
    }
    stp_env env = {.log = log_line, .progress = progress_line, .log_level = STP_LOG_WARN};
    stp_findings findings;
    stp_findings_init(&findings);
    stp_image *image = NULL;
    stp_debug *probe = NULL;
    stp_target *target = NULL;

    stp_status st = stp_image_load_file(argv[2], STP_FORMAT_AUTO, 0x08000000, &image, &findings);
    if (st == STP_OK)
        st = stp_probe_open(argv[1], &env, &probe, &findings);
    if (st == STP_OK) {
        stp_target_options options = {.connect = STP_TARGET_CONNECT_NORMAL};
        st = stp_target_attach(probe, &options, &target, &findings);
    }
    if (st == STP_OK) {
        const stp_target_info *info = stp_target_get_info(target);
        printf("target: %s (device 0x%03x), %u KiB flash\n", info->name, info->dev_id,
               (unsigned)info->flash_kb);
        stp_program_options options = {.verify = true};
        stp_verify_result verified = {0};
        st = stp_program(target, image, &options, &env, NULL, &verified, &findings);
        if (st == STP_OK)
            printf("programmed and verified %llu bytes from %s\n",
                   (unsigned long long)stp_image_total_bytes(image), argv[2]);
    }
    if (st != STP_OK) {
        print_findings(&findings);
        fprintf(stderr, "failed: %s\n", stp_status_describe(st));
    }
    stp_target_detach(target);
    stp_probe_close(probe);
    stp_image_destroy(image);
    stp_findings_free(&findings);
    return stp_status_exit_code(st);
}
