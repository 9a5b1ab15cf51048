/* libusb device calls of the shim: the device list with the one simulated ST-Link, its
 * bus position and descriptors, handles, configuration, interfaces and kernel driver. */
#include <stdlib.h>

#include "shim.h"

SHIM_API ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
    (void)ctx;
    bool present = shim_probe() != NULL;
    libusb_device **l = calloc(2, sizeof(*l));
    if (!l)
        return LIBUSB_ERROR_NO_MEM;
    if (present) {
        shim_lock();
        shim_device()->refs++;
        shim_unlock();
        l[0] = shim_device();
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
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_SPEED_UNKNOWN;
    return sim_probe_usb_info(p)->high_speed ? LIBUSB_SPEED_HIGH : LIBUSB_SPEED_FULL;
}

SHIM_API int LIBUSB_CALL libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)
{
    (void)dev;
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    const sim_probe_usb *u = sim_probe_usb_info(p);
    for (unsigned i = 0; i < u->ep_count; i++)
        if (u->eps[i].address == endpoint)
            return u->eps[i].max_packet;
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
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    return shim_device_descriptor(sim_probe_usb_info(p), desc);
}

SHIM_API int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index,
                                                      struct libusb_config_descriptor **config)
{
    (void)dev;
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    if (config_index != 0)
        return LIBUSB_ERROR_NOT_FOUND;
    return shim_config_descriptor(sim_probe_usb_info(p), config);
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
    if (dev != shim_device() || !shim_probe())
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
    sim_probe *p = shim_probe();
    if (!p)
        return NULL;
    const sim_probe_usb *u = sim_probe_usb_info(p);
    if (u->vid != vendor_id || u->pid != product_id)
        return NULL;
    libusb_device_handle *h = NULL;
    if (libusb_open(shim_device(), &h) != LIBUSB_SUCCESS)
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
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    const sim_probe_usb *u = sim_probe_usb_info(p);
    for (unsigned i = 0; i < u->ep_count; i++)
        if (u->eps[i].address == endpoint)
            return LIBUSB_SUCCESS;
    return LIBUSB_ERROR_NOT_FOUND;
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
