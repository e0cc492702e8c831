#include "thread_self.h"

#include <sys/syscall.h>
#include <unistd.h>

__thread struct hook_thread hook_self __attribute__((tls_model("initial-exec"), visibility("hidden")));

pid_t thread_tid(void)
{
    if (hook_self.tid == 0)
        hook_self.tid = (pid_t)syscall(SYS_gettid);
    return hook_self.tid;
}
