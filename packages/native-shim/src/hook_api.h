/* What hook_table.def says about each intercepted API, as C data: the enum
 * API_<name>, and per API its id, category and static flags. */
#ifndef APITRACE_HOOK_API_H
#define APITRACE_HOOK_API_H

#include <stdint.h>

/* Finding flags (docs/events.md, "Argument names and flags"). */
enum hook_flag {
    FLAG_UNSAFE_STRING = 1u << 0,
    FLAG_WEAK_RANDOM = 1u << 1,
    FLAG_WORLD_WRITABLE = 1u << 2,
    FLAG_SHELL = 1u << 3,
    FLAG_WX_MEMORY = 1u << 4,
    FLAG_VERIFY_NONE = 1u << 5,
};
#define HOOK_FLAG_COUNT 6
extern const char *const hook_flag_names[HOOK_FLAG_COUNT];

enum hook_api {
#define HOOK(ns, name, category, shape, flags, ret, params, args) API_##name,
#define HOOK_V HOOK
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
    API_COUNT
};

enum hook_namespace { NS_libc, NS_openssl };

struct hook_api_info {
    const char *id;       /* "libc:open" */
    const char *category; /* a Category of the schema */
    uint32_t flags;       /* static flags of every use */
    enum hook_namespace ns;
};
extern const struct hook_api_info hook_apis[API_COUNT];

#endif
