/* Serial device and TCP listener for a Linux link device; see link_fd.h. */
#define _POSIX_C_SOURCE 200809L

#include "link_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

static speed_t speed_constant(unsigned long baud) {
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
#ifdef B57600
    case 57600: return B57600;
#endif
#ifdef B115200
    case 115200: return B115200;
#endif
#ifdef B230400
    case 230400: return B230400;
#endif
#ifdef B460800
    case 460800: return B460800;
#endif
#ifdef B921600
    case 921600: return B921600;
#endif
    default: return B0;
    }
}

int alky_link_open_serial(const char *path, unsigned long baud) {
    struct termios tio;
    speed_t speed = speed_constant(baud);
    int fd;
    if (speed == B0) {
        errno = EINVAL;
        return -1;
    }
    fd = open(path, O_RDWR | O_NOCTTY);
    if (fd < 0) return -1;
    if (tcgetattr(fd, &tio) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    /* Raw: no line editing, no translation, no echo, no signals; 8N1 with
     * the modem lines ignored; read returns as soon as one byte is there. */
    tio.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
    tio.c_oflag &= (tcflag_t)~OPOST;
    tio.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= (tcflag_t) ~(CSIZE | PARENB | CSTOPB);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 || tcsetattr(fd, TCSANOW, &tio) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

int alky_link_listen(const char *host_port, unsigned *bound, const char **why) {
    static char host[256];
    struct addrinfo hints, *found = NULL, *ai;
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    const char *colon = strrchr(host_port, ':');
    size_t host_len;
    int fd = -1, one = 1;
    if (!colon || colon == host_port || colon[1] == '\0' || (size_t)(colon - host_port) >= sizeof host) {
        *why = "expected HOST:PORT, e.g. 127.0.0.1:7000";
        return -1;
    }
    host_len = (size_t)(colon - host_port);
    memcpy(host, host_port, host_len);
    host[host_len] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0 || !found) {
        *why = "cannot resolve the host or the port is not a number";
        return -1;
    }
    *why = "cannot listen there";
    for (ai = found; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) continue;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        *why = strerror(errno);
        close(fd);
        return -1;
    }
    *bound = addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port) : ntohs(((struct sockaddr_in *)&addr)->sin_port);
    return fd;
}

int alky_link_accept(int listener) {
    int one = 1, fd;
    do fd = accept(listener, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    /* Frames are small and answered one at a time: send each at once. */
    if (fd >= 0) (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}
