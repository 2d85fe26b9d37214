// A slower disk for scripts/bench-serve.py: LD_PRELOAD this to make every fsync/fdatasync of the process take
// SLOW_FSYNC_US more microseconds (then call the real one). Group commit saves one fsync per message of a batch,
// so its worth shows only where fsync costs something; this machine's virtual disk answers fsync in ~0.1 ms,
// where an SSD with a real cache flush takes ~1-5 ms and a network volume more.
// Build: cc -shared -fPIC -O2 -o slow-fsync.so slow-fsync.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void pause_for_disk(void) {
    const char *text = getenv("SLOW_FSYNC_US");
    long micros = text ? atol(text) : 0;
    if (micros <= 0) return;
    struct timespec delay = {micros / 1000000, (micros % 1000000) * 1000};
    while (nanosleep(&delay, &delay) != 0) {}
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    pause_for_disk();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    pause_for_disk();
    return real(fd);
}
