/* The shim's state: the board and probe opened from $STPROG_SIM on first use, kept until
 * the process exits (then $STPROG_SIM_REPORT is written and the board's state saved), and
 * the libusb context, device list, open/close, configuration and interface calls. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define DEFAULT_SPEC "sim:stm32f407vg"

static pthread_mutex_t g_lock;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_tried;
static sim_board *g_board;
static sim_stlink *g_probe;
static struct libusb_context g_default_ctx;
static struct libusb_device g_dev;

static void init_lock(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&g_lock, &a);
    pthread_mutexattr_destroy(&a);
}

/* Depth of shim code on this thread: the board (and Unicorn inside it) runs with it > 0,
 * and its own clock queries and sleeps are not virtualised (shim_time.c). */
static _Thread_local int tls_depth;
static pthread_t g_host_thread;
static uint64_t g_pending_ns; /* host clock queries not yet charged to the board */

void shim_lock(void)
{
    pthread_once(&g_once, init_lock);
    pthread_mutex_lock(&g_lock);
    tls_depth++;
}

void shim_unlock(void)
{
    tls_depth--;
    pthread_mutex_unlock(&g_lock);
}

bool shim_host_context(void)
{
    return tls_depth == 0 && g_board && pthread_equal(pthread_self(), g_host_thread);
}

static void trace_line(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "stprog-usbsim: %s\n", line);
}

static void open_board(void)
{
    g_tried = true;
    const char *spec = getenv("STPROG_SIM");
    if (!spec || !*spec)
        spec = DEFAULT_SPEC;
    char err[1024] = "";
    g_board = sim_board_open(spec, err, sizeof(err));
    if (!g_board) {
        fprintf(stderr, "stprog-usbsim: STPROG_SIM=%s: %s\n", spec, err);
        return;
    }
    g_probe = sim_stlink_create(g_board);
    if (!g_probe) {
        const sim_spec *sp = sim_board_spec(g_board);
        if (sim_stlink_fw_check(sp->fw, err, sizeof(err)) == 0)
            snprintf(err, sizeof(err), "fw=%s does not match probe kind", sp->fw);
        fprintf(stderr, "stprog-usbsim: STPROG_SIM=%s: %s\n", spec, err);
        sim_board_close(g_board);
        g_board = NULL;
        return;
    }
    const char *tr = getenv("STPROG_SIM_TRACE");
    if (tr && *tr && strcmp(tr, "0") != 0)
        sim_stlink_set_trace(g_probe, trace_line, NULL);
    g_host_thread = pthread_self();
    shim_time_mark_open();
}

sim_stlink *shim_probe(void)
{
    shim_lock();
    if (!g_tried)
        open_board();
    shim_unlock();
    return g_probe;
}

void shim_probe_reset(void)
{
    shim_lock();
    if (g_probe) {
        void (*keep)(void *, const char *) = NULL;
        const char *tr = getenv("STPROG_SIM_TRACE");
        if (tr && *tr && strcmp(tr, "0") != 0)
            keep = trace_line;
        sim_stlink_destroy(g_probe);
        g_probe = sim_stlink_create(g_board);
        if (g_probe && keep)
            sim_stlink_set_trace(g_probe, keep, NULL);
    }
    shim_unlock();
}

struct libusb_device *shim_device(void)
{
    return &g_dev;
}

void shim_charge_timeout(unsigned int timeout_ms)
{
    shim_charge_ns((uint64_t)(timeout_ms ? timeout_ms : 1000u) * 1000000u);
}

void shim_charge_ns(uint64_t ns)
{
    if (!g_board)
        return;
    ns += g_pending_ns;
    g_pending_ns = 0;
    if (ns)
        sim_clock_advance(g_board, ns);
}

void shim_defer_ns(uint64_t ns)
{
    g_pending_ns += ns;
}

uint64_t shim_virtual_ns(void)
{
    return g_board ? sim_clock_ns(g_board) + g_pending_ns : 0;
}

__attribute__((destructor)) static void shim_fini(void)
{
    if (!g_board)
        return;
    const char *report = getenv("STPROG_SIM_REPORT");
    if (report && *report && sim_board_write_report(g_board, report) != 0)
        fprintf(stderr, "stprog-usbsim: cannot write report %s\n", report);
    sim_stlink_destroy(g_probe);
    g_probe = NULL;
    sim_board_close(g_board);
    g_board = NULL;
}

/* --- Library, context ---------------------------------------------------------------- */

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

/* --- Devices ------------------------------------------------------------------------- */

SHIM_API ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
    (void)ctx;
    bool present = shim_probe() != NULL;
    libusb_device **l = calloc(2, sizeof(*l));
    if (!l)
        return LIBUSB_ERROR_NO_MEM;
    if (present) {
        shim_lock();
        g_dev.refs++;
        shim_unlock();
        l[0] = &g_dev;
    }
    *list = l;
    return present ? 1 : 0;
}

SHIM_API void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
    if (!list)
        return;
    if (unref_devices) {
        shim_lock();
        for (size_t i = 0; list[i]; i++)
            list[i]->refs--;
        shim_unlock();
    }
    free(list);
}

SHIM_API libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
    shim_lock();
    dev->refs++;
    shim_unlock();
    return dev;
}

SHIM_API void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
    if (!dev)
        return;
    shim_lock();
    dev->refs--;
    shim_unlock();
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
    (void)dev;
    return 1;
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
    (void)dev;
    return 7;
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_port_number(libusb_device *dev)
{
    (void)dev;
    return 4;
}

SHIM_API int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers,
                                                 int port_numbers_len)
{
    (void)dev;
    if (port_numbers_len < 2)
        return LIBUSB_ERROR_OVERFLOW;
    port_numbers[0] = 1;
    port_numbers[1] = 4;
    return 2;
}

SHIM_API int LIBUSB_CALL libusb_get_port_path(libusb_context *ctx, libusb_device *dev,
                                              uint8_t *path, uint8_t path_length)
{
    (void)ctx;
    return libusb_get_port_numbers(dev, path, path_length);
}

SHIM_API libusb_device *LIBUSB_CALL libusb_get_parent(libusb_device *dev)
{
    (void)dev;
    return NULL;
}

SHIM_API int LIBUSB_CALL libusb_get_device_speed(libusb_device *dev)
{
    (void)dev;
    sim_stlink *p = shim_probe();
    if (!p)
        return LIBUSB_SPEED_UNKNOWN;
    return sim_stlink_usb_info(p)->max_packet >= 512 ? LIBUSB_SPEED_HIGH : LIBUSB_SPEED_FULL;
}

SHIM_API int LIBUSB_CALL libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)
{
    (void)dev;
    sim_stlink *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    const sim_stlink_usb *u = sim_stlink_usb_info(p);
    if (endpoint == u->ep_in || endpoint == u->ep_out || endpoint == u->ep_trace)
        return u->max_packet;
    return LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)
{
    (void)dev;
    (void)endpoint;
    return LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
                                                      struct libusb_device_descriptor *desc)
{
    (void)dev;
    sim_stlink *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    return shim_device_descriptor(sim_stlink_usb_info(p), desc);
}

SHIM_API int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index,
                                                      struct libusb_config_descriptor **config)
{
    (void)dev;
    sim_stlink *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    if (config_index != 0)
        return LIBUSB_ERROR_NOT_FOUND;
    return shim_config_descriptor(sim_stlink_usb_info(p), config);
}

SHIM_API int LIBUSB_CALL
libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config)
{
    return libusb_get_config_descriptor(dev, 0, config);
}

SHIM_API int LIBUSB_CALL libusb_get_config_descriptor_by_value(
    libusb_device *dev, uint8_t bConfigurationValue, struct libusb_config_descriptor **config)
{
    if (bConfigurationValue != 1)
        return LIBUSB_ERROR_NOT_FOUND;
    return libusb_get_config_descriptor(dev, 0, config);
}

SHIM_API void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
    shim_free_config(config);
}

SHIM_API int LIBUSB_CALL libusb_get_bos_descriptor(libusb_device_handle *dev_handle,
                                                   struct libusb_bos_descriptor **bos)
{
    (void)dev_handle;
    (void)bos;
    return LIBUSB_ERROR_PIPE; /* a USB 2.0 full/high-speed device has no BOS */
}

SHIM_API int LIBUSB_CALL libusb_wrap_sys_device(libusb_context *ctx, intptr_t sys_dev,
                                                libusb_device_handle **dev_handle)
{
    (void)ctx;
    (void)sys_dev;
    (void)dev_handle;
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

/* --- Handles ------------------------------------------------------------------------- */

SHIM_API int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **dev_handle)
{
    if (dev != &g_dev || !shim_probe())
        return LIBUSB_ERROR_NO_DEVICE;
    libusb_device_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return LIBUSB_ERROR_NO_MEM;
    h->dev = libusb_ref_device(dev);
    *dev_handle = h;
    return LIBUSB_SUCCESS;
}

SHIM_API libusb_device_handle *LIBUSB_CALL libusb_open_device_with_vid_pid(libusb_context *ctx,
                                                                           uint16_t vendor_id,
                                                                           uint16_t product_id)
{
    (void)ctx;
    sim_stlink *p = shim_probe();
    if (!p)
        return NULL;
    const sim_stlink_usb *u = sim_stlink_usb_info(p);
    if (u->vid != vendor_id || u->pid != product_id)
        return NULL;
    libusb_device_handle *h = NULL;
    if (libusb_open(&g_dev, &h) != LIBUSB_SUCCESS)
        return NULL;
    return h;
}

SHIM_API void LIBUSB_CALL libusb_close(libusb_device_handle *dev_handle)
{
    if (!dev_handle)
        return;
    libusb_unref_device(dev_handle->dev);
    free(dev_handle);
}

SHIM_API libusb_device *LIBUSB_CALL libusb_get_device(libusb_device_handle *dev_handle)
{
    return dev_handle->dev;
}

SHIM_API int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *dev, int *config)
{
    (void)dev;
    *config = 1;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *dev, int configuration)
{
    if (configuration != 1 && configuration != -1 && configuration != 0)
        return LIBUSB_ERROR_NOT_FOUND;
    if (dev->claimed && configuration != 1)
        return LIBUSB_ERROR_BUSY;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *dev, int interface_number)
{
    if (interface_number != 0)
        return LIBUSB_ERROR_NOT_FOUND;
    dev->claimed |= 1u;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_release_interface(libusb_device_handle *dev, int interface_number)
{
    if (interface_number != 0 || !(dev->claimed & 1u))
        return LIBUSB_ERROR_NOT_FOUND;
    dev->claimed &= ~1u;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *dev,
                                                          int interface_number,
                                                          int alternate_setting)
{
    if (interface_number != 0 || !(dev->claimed & 1u))
        return LIBUSB_ERROR_NOT_FOUND;
    return alternate_setting == 0 ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *dev, unsigned char endpoint)
{
    (void)dev;
    sim_stlink *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    const sim_stlink_usb *u = sim_stlink_usb_info(p);
    if (endpoint != u->ep_in && endpoint != u->ep_out && endpoint != u->ep_trace)
        return LIBUSB_ERROR_NOT_FOUND;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_reset_device(libusb_device_handle *dev)
{
    (void)dev;
    shim_probe_reset();
    return shim_probe() ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *dev,
                                                     int interface_number)
{
    (void)dev;
    return interface_number == 0 ? 0 : LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *dev,
                                                     int interface_number)
{
    (void)dev;
    (void)interface_number;
    return LIBUSB_ERROR_NOT_FOUND; /* no kernel driver bound */
}

SHIM_API int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *dev,
                                                     int interface_number)
{
    (void)dev;
    (void)interface_number;
    return LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev, int enable)
{
    (void)dev;
    (void)enable;
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL
libusb_hotplug_register_callback(libusb_context *ctx, int events, int flags, int vendor_id,
                                 int product_id, int dev_class, libusb_hotplug_callback_fn cb_fn,
                                 void *user_data, libusb_hotplug_callback_handle *callback_handle)
{
    (void)ctx;
    (void)events;
    (void)flags;
    (void)vendor_id;
    (void)product_id;
    (void)dev_class;
    (void)cb_fn;
    (void)user_data;
    (void)callback_handle;
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void LIBUSB_CALL libusb_hotplug_deregister_callback(
    libusb_context *ctx, libusb_hotplug_callback_handle callback_handle)
{
    (void)ctx;
    (void)callback_handle;
}
