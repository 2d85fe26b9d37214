// System calls Swift's Glibc module does not show: glibc declares statx(2) only under _GNU_SOURCE.
#ifndef BUS_SYSTEM_H
#define BUS_SYSTEM_H

#include <stdint.h>

// The birth time of the open file `fd` (statx's btime), in seconds and nanoseconds since the epoch.
// Returns 0 when the filesystem reports it, -1 otherwise (no statx, or no btime on this filesystem).
int bus_birth_time(int fd, int64_t *seconds, uint32_t *nanoseconds);

#endif
