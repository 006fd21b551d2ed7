/* The link-device firmware for a host (vm-c/port/host): a process speaking
 * the link protocol on stdin/stdout. Sizes are the reference VM's defaults;
 * frames are as long as the protocol allows. */
#ifndef ALKY_CONFIG_NATIVE_H
#define ALKY_CONFIG_NATIVE_H

#define ALKY_DEVICE_BOARD ALKY_BOARD_NATIVE
#define ALKY_LINK_MAX_PAYLOAD 249

/* App store (port/host/main.c): two slots of 16 KB and 4 KB of storage
 * (a build may set others: the power-cut test uses the Uno's geometry). */
#ifndef ALKY_HOST_SLOT_BYTES
#define ALKY_HOST_SLOT_BYTES 16384u
#endif
#ifndef ALKY_HOST_STORAGE_BYTES
#define ALKY_HOST_STORAGE_BYTES 4096u
#endif

#endif
