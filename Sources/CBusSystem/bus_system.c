#define _GNU_SOURCE
#include "bus_system.h"

#include <fcntl.h>
#include <sys/stat.h>

int bus_birth_time(int fd, int64_t *seconds, uint32_t *nanoseconds) {
#ifdef STATX_BTIME
    struct statx info;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &info) != 0) return -1;
    if (!(info.stx_mask & STATX_BTIME)) return -1;
    *seconds = info.stx_btime.tv_sec;
    *nanoseconds = info.stx_btime.tv_nsec;
    return 0;
#else
    (void)fd;
    (void)seconds;
    (void)nanoseconds;
    return -1;
#endif
}
