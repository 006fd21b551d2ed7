/* The link-device firmware for a Raspberry Pi running Linux: the host build
 * (port/host/main.c, sizes of config/native.h) with the link on a serial
 * device or a TCP port (port/linux/link_fd.c), announcing itself as a Pi. */
#ifndef ALKY_CONFIG_RASPBERRYPI_H
#define ALKY_CONFIG_RASPBERRYPI_H

#include "native.h"

#undef ALKY_DEVICE_BOARD
#define ALKY_DEVICE_BOARD ALKY_BOARD_RASPBERRYPI

#endif
