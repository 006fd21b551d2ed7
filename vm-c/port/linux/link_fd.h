/* The byte link of a Linux device (the Raspberry Pi, or any host) when it is
 * not stdin/stdout: a serial device (the Pi's UART, a USB serial adapter) or
 * a TCP socket the node connects to. Used by port/host/main.c. */
#ifndef ALKY_LINUX_LINK_FD_H
#define ALKY_LINUX_LINK_FD_H

/* Opens a serial device raw, 8N1, no flow control, at baud (one of the
 * standard rates 1200..921600). Returns the descriptor, or -1 with errno set
 * (EINVAL for a rate the kernel has no constant for). */
int alky_link_open_serial(const char *path, unsigned long baud);

/* Listens on TCP host:port ("127.0.0.1:7000"; port 0 picks a free one).
 * Returns the listening descriptor and writes the bound port to *bound, or
 * -1 with *why pointing at a one-line reason. */
int alky_link_listen(const char *host_port, unsigned *bound, const char **why);

/* Waits for the next node to connect; returns its socket or -1 (errno). */
int alky_link_accept(int listener);

#endif
