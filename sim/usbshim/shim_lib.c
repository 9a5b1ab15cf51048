/* libusb library calls of the shim: init/exit (contexts), options, version, capabilities
 * and error names. */
#include <stdlib.h>

#include "shim.h"

static struct libusb_context g_default_ctx;

SHIM_API int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
    shim_lock();
    if (ctx) {
        *ctx = calloc(1, sizeof(**ctx));
        if (!*ctx) {
            shim_unlock();
            return LIBUSB_ERROR_NO_MEM;
        }
        (*ctx)->refs = 1;
    } else {
        g_default_ctx.refs++;
    }
    shim_unlock();
    return LIBUSB_SUCCESS;
}

SHIM_API void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
    shim_lock();
    if (ctx && ctx != &g_default_ctx)
        free(ctx);
    else if (g_default_ctx.refs > 0)
        g_default_ctx.refs--;
    shim_unlock();
}

SHIM_API void LIBUSB_CALL libusb_set_debug(libusb_context *ctx, int level)
{
    (void)ctx;
    (void)level;
}

SHIM_API int LIBUSB_CALL libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)
{
    (void)ctx;
    switch (option) {
    case LIBUSB_OPTION_LOG_LEVEL:
    case LIBUSB_OPTION_USE_USBDK:
    case LIBUSB_OPTION_NO_DEVICE_DISCOVERY:
        return LIBUSB_SUCCESS;
    default:
        return LIBUSB_ERROR_INVALID_PARAM;
    }
}

SHIM_API const struct libusb_version *LIBUSB_CALL libusb_get_version(void)
{
    static const struct libusb_version v = {1, 0, 26, 11724, "", "stprog usbsim"};
    return &v;
}

SHIM_API int LIBUSB_CALL libusb_has_capability(uint32_t capability)
{
    return capability == LIBUSB_CAP_HAS_CAPABILITY ||
           capability == LIBUSB_CAP_SUPPORTS_DETACH_KERNEL_DRIVER;
}

SHIM_API int LIBUSB_CALL libusb_setlocale(const char *locale)
{
    (void)locale;
    return LIBUSB_SUCCESS;
}

static const struct {
    int code;
    const char *name;
    const char *text;
} errors[] = {
    {LIBUSB_SUCCESS, "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED", "Success"},
    {LIBUSB_ERROR_IO, "LIBUSB_ERROR_IO", "Input/Output Error"},
    {LIBUSB_ERROR_INVALID_PARAM, "LIBUSB_ERROR_INVALID_PARAM", "Invalid parameter"},
    {LIBUSB_ERROR_ACCESS, "LIBUSB_ERROR_ACCESS", "Access denied (insufficient permissions)"},
    {LIBUSB_ERROR_NO_DEVICE, "LIBUSB_ERROR_NO_DEVICE",
     "No such device (it may have been disconnected)"},
    {LIBUSB_ERROR_NOT_FOUND, "LIBUSB_ERROR_NOT_FOUND", "Entity not found"},
    {LIBUSB_ERROR_BUSY, "LIBUSB_ERROR_BUSY", "Resource busy"},
    {LIBUSB_ERROR_TIMEOUT, "LIBUSB_ERROR_TIMEOUT", "Operation timed out"},
    {LIBUSB_ERROR_OVERFLOW, "LIBUSB_ERROR_OVERFLOW", "Overflow"},
    {LIBUSB_ERROR_PIPE, "LIBUSB_ERROR_PIPE", "Pipe error"},
    {LIBUSB_ERROR_INTERRUPTED, "LIBUSB_ERROR_INTERRUPTED",
     "System call interrupted (perhaps due to signal)"},
    {LIBUSB_ERROR_NO_MEM, "LIBUSB_ERROR_NO_MEM", "Insufficient memory"},
    {LIBUSB_ERROR_NOT_SUPPORTED, "LIBUSB_ERROR_NOT_SUPPORTED",
     "Operation not supported or unimplemented on this platform"},
    {LIBUSB_ERROR_OTHER, "LIBUSB_ERROR_OTHER", "Other error"},
};

SHIM_API const char *LIBUSB_CALL libusb_error_name(int code)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (errors[i].code == code)
            return errors[i].name;
    switch (code) {
    case LIBUSB_TRANSFER_ERROR:
        return "LIBUSB_TRANSFER_ERROR";
    case LIBUSB_TRANSFER_TIMED_OUT:
        return "LIBUSB_TRANSFER_TIMED_OUT";
    case LIBUSB_TRANSFER_CANCELLED:
        return "LIBUSB_TRANSFER_CANCELLED";
    case LIBUSB_TRANSFER_STALL:
        return "LIBUSB_TRANSFER_STALL";
    case LIBUSB_TRANSFER_NO_DEVICE:
        return "LIBUSB_TRANSFER_NO_DEVICE";
    case LIBUSB_TRANSFER_OVERFLOW:
        return "LIBUSB_TRANSFER_OVERFLOW";
    default:
        return "**UNKNOWN**";
    }
}

SHIM_API const char *LIBUSB_CALL libusb_strerror(int errcode)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (errors[i].code == errcode)
            return errors[i].text;
    return "Unknown error";
}
