#include "hook_api.h"

const char *const hook_flag_names[HOOK_FLAG_COUNT] = {
    "unsafe_string", "weak_random", "world_writable", "shell", "wx_memory", "verify_none",
};

const struct hook_api_info hook_apis[API_COUNT] = {
#define HOOK(ns, name, category, shape, flags, ret, params, args) \
    [API_##name] = { #ns ":" #name, #category, flags, NS_##ns },
#define HOOK_V HOOK
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
};
