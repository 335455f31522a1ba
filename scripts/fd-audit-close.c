// The descriptor audit's close(2) interposer, preloaded by scripts/fd-audit into a test run (LD_PRELOAD): every
// close of a number that was not open (EBADF, fd >= 0) appends the caller's stack to $ANNULUS_FD_AUDIT_DIR/<pid>.log.
// A double close is a bug wherever it is: the second close closes whatever another thread opened under that number
// in between. Built by scripts/fd-audit with the system C compiler; not part of the product.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t audit_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(int fd) {
    const char *folder = getenv("ANNULUS_FD_AUDIT_DIR");
    if (folder == NULL) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.log", folder, (int)getpid());
    void *frames[32];
    int count = backtrace(frames, 32);
    pthread_mutex_lock(&audit_lock);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
        char head[128];
        int length = snprintf(head, sizeof head, "EBADF close(%d) thread %ld\n", fd, (long)syscall(SYS_gettid));
        if (write(log, head, (size_t)length) < 0) { /* nothing more to do */ }
        backtrace_symbols_fd(frames, count, log);
        if (write(log, "END\n", 4) < 0) { /* nothing more to do */ }
        syscall(SYS_close, log);
    }
    pthread_mutex_unlock(&audit_lock);
}

int close(int fd) {
    int result = (int)syscall(SYS_close, fd);
    if (result == -1 && errno == EBADF && fd >= 0) {
        int saved = errno;
        record(fd);
        errno = saved;
    }
    return result;
}
