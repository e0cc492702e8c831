/* Every type the signatures in hook_table.def mention. */
#ifndef APITRACE_HOOK_TYPES_H
#define APITRACE_HOOK_TYPES_H

#include <netdb.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#endif
