/* stprog sim-env PART -- TOOL [ARGS...]: runs another program (st-flash, st-info, OpenOCD,
 * pyOCD, ...) with the virtual board's libusb shim in place of libusb, so it finds the
 * modelled ST-Link and board of PART as if they were plugged in. The shim is found beside
 * the stprog binary (build tree) or in the private library directory it was installed to.
 *
 * The tool replaces stprog (exec): its output and its exit code are its own. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/spec.h"

#define SHIM_NAME "libstprog-usbsim.so"

/* Where the shim is, relative to the directory of the stprog binary, when installed:
 * from the build (CMAKE_INSTALL_BINDIR -> CMAKE_INSTALL_LIBDIR/stprog). */
#ifndef STP_USBSIM_RELDIR
#define STP_USBSIM_RELDIR "../lib/stprog"
#endif

static bool is_file(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The shim's directory into dir: beside the binary (a build tree) or the installed one. */
static bool find_shim_dir(char *dir, size_t cap, char *tried, size_t tried_cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        snprintf(tried, tried_cap, "/proc/self/exe unreadable: %s", strerror(errno));
        return false;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    const char *candidates[] = {".", STP_USBSIM_RELDIR};
    tried[0] = '\0';
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        char path[PATH_MAX + 64];
        if (snprintf(dir, cap, "%s/%s", exe, candidates[i]) >= (int)cap ||
            snprintf(path, sizeof(path), "%s/" SHIM_NAME, dir) >= (int)sizeof(path))
            continue;
        char resolved[PATH_MAX];
        if (is_file(path) && realpath(dir, resolved) != NULL &&
            snprintf(dir, cap, "%s", resolved) < (int)cap)
            return true;
        size_t used = strlen(tried);
        snprintf(tried + used, tried_cap - used, "%s%s", used ? ", " : "", path);
    }
    return false;
}

/* name=value, with the old value of the variable after a ':' when it had one. */
static bool prepend_path(const char *name, const char *value)
{
    const char *old = getenv(name);
    if (old == NULL || old[0] == '\0')
        return setenv(name, value, 1) == 0;
    size_t len = strlen(value) + 1 + strlen(old) + 1;
    char *joined = malloc(len);
    if (joined == NULL)
        return false;
    snprintf(joined, len, "%s:%s", value, old);
    int rc = setenv(name, joined, 1);
    free(joined);
    return rc == 0;
}

static stp_status run(cli_ctx *ctx)
{
    const char *part = ctx->args.argv[0];
    char err[512] = "";
    sim_spec spec;
    if (sim_spec_parse(part, &spec, err, sizeof(err)) != 0) {
        char *list = strstr(err, " (accepted parts:");
        if (list != NULL)
            snprintf(list, sizeof(err) - (size_t)(list - err), " (`stprog chips` lists the parts)");
        stp_finding *f =
            stp_finding_add(&ctx->findings, "sim.spec-invalid", STP_SEV_ERROR, "sim-env: %s", err);
        stp_finding_evidence(f, "spec", "%s", part);
        return STP_ERR_INVALID_ARG;
    }
    char dir[PATH_MAX], tried[3 * PATH_MAX];
    if (!find_shim_dir(dir, sizeof(dir), tried, sizeof(tried))) {
        stp_finding *f = stp_finding_add(&ctx->findings, "sim.shim-missing", STP_SEV_ERROR,
                                         "sim-env: the virtual board's libusb shim (" SHIM_NAME
                                         ") is not where stprog was installed or built");
        stp_finding_evidence(f, "looked_for", "%s", tried);
        stp_finding_advice(f, "Reinstall stprog (the package or 'make install' puts it in "
                              "LIBDIR/stprog), or build it: 'make build'.");
        return STP_ERR_IO;
    }
    char shim[PATH_MAX + 32], libusb_dir[PATH_MAX + 16], board[sizeof(spec.part) + 600];
    snprintf(shim, sizeof(shim), "%s/" SHIM_NAME, dir);
    snprintf(libusb_dir, sizeof(libusb_dir), "%s/libusb", dir);
    snprintf(board, sizeof(board), "%s%s", strncmp(part, "sim:", 4) == 0 ? "" : "sim:", part);
    /* LD_PRELOAD puts the shim's libusb_* (and its virtual clock) first for programs linked
     * with libusb; libusb/libusb-1.0.so.0 (a link to the shim) is what programs that load
     * libusb themselves (pyusb: pyOCD) find first, and it is the same loaded object. */
    bool ok = setenv("STPROG_SIM", board, 1) == 0 && prepend_path("LD_PRELOAD", shim);
    if (ok && access(libusb_dir, X_OK) == 0)
        ok = prepend_path("LD_LIBRARY_PATH", libusb_dir);
    if (!ok) {
        stp_finding_add(&ctx->findings, "sim.env-failed", STP_SEV_ERROR,
                        "sim-env: cannot set the environment: %s", strerror(errno));
        return STP_ERR_NOMEM;
    }
    int toolc = ctx->args.argc - 1;
    char **tool = calloc((size_t)toolc + 1, sizeof(*tool));
    if (tool == NULL)
        return STP_ERR_NOMEM;
    for (int i = 0; i < toolc; i++)
        tool[i] = (char *)ctx->args.argv[1 + i];
    fflush(NULL);
    execvp(tool[0], tool);
    int e = errno;
    free(tool);
    stp_finding *f =
        stp_finding_add(&ctx->findings, "sim.env-failed", STP_SEV_ERROR,
                        "sim-env: cannot run '%s': %s", ctx->args.argv[1], strerror(e));
    stp_finding_evidence(f, "tool", "%s", ctx->args.argv[1]);
    if (e == ENOENT)
        stp_finding_advice(f, "Install it, or give its path; it is looked up on PATH.");
    return e == ENOENT ? STP_ERR_INVALID_ARG : STP_ERR_IO;
}

const cli_command cli_cmd_sim_env = {
    .name = "sim-env",
    .summary = "run another tool (st-flash, OpenOCD, pyOCD) against the virtual board",
    .usage = "PART[,key=value...] -- TOOL [ARGS...]",
    .description = "Runs TOOL with the virtual board's libusb shim in place of libusb, so "
                   "unmodified st-info, st-flash, OpenOCD or pyOCD find a modelled ST-Link with "
                   "the board PART behind it (the keys of --probe sim:, e.g. "
                   "stm32f407vg,state=board.img to keep the flash between runs). It sets "
                   "STPROG_SIM, LD_PRELOAD and LD_LIBRARY_PATH and executes TOOL, whose output "
                   "and exit code are its own. Example: stprog sim-env stm32f407vg -- st-flash "
                   "write fw.bin 0x08000000",
    .options = NULL,
    .min_args = 2,
    .max_args = -1,
    .run = run,
};
