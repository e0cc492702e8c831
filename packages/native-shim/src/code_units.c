#include "code_units.h"

#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "elf_dynamic.h"
#include "event_records.h"

/* What a code_unit record says, kept (strings in path_pool) so that it can
 * be written again into a forked child's file without walking the loader's
 * list there. */
struct unit {
    uintptr_t lo, hi; /* from the lowest to the end of the highest PT_LOAD */
    uintptr_t base;   /* dlpi_addr */
    const char *path, *soname, *build_id, *how;
    const char *needed[ELF_NEEDED_MAX];
    size_t needed_count;
    bool imports_vfork;
    bool own;     /* the shim itself */
    bool written; /* code_unit record in this file */
};

static struct unit units[CODE_UNITS_MAX] = { [UNIT_UNKNOWN] = { .path = UNKNOWN_CALLER_PATH } };
static _Atomic unsigned unit_count = 1;
_Atomic uint32_t code_units_generation_value;
static _Atomic bool refresh_wanted;
static _Atomic bool dlopen_pending;
static char path_pool[256 * 1024];
static size_t path_pool_used;
static char exe_path[4096];

static void own_anchor(void) {}

struct refresh_pass {
    enum code_unit_how how;
    bool first; /* the first object dl_iterate_phdr reports is the executable */
};

static const char *keep_path(const char *path)
{
    if (path == NULL)
        return NULL;
    size_t n = strlen(path) + 1;
    if (path_pool_used + n > sizeof path_pool)
        return NULL;
    char *p = path_pool + path_pool_used;
    memcpy(p, path, n);
    path_pool_used += n;
    return p;
}

static unsigned find_registered(uintptr_t base, const char *path)
{
    unsigned n = atomic_load_explicit(&unit_count, memory_order_acquire);
    for (unsigned i = n; i-- > 1;)
        if (units[i].base == base && strcmp(units[i].path, path) == 0)
            return i;
    return UNIT_UNKNOWN;
}

static void describe_unit(struct unit *u, const struct dl_phdr_info *info)
{
    struct elf_dynamic d;
    if (elf_dynamic_read(info, &d)) {
        u->soname = keep_path(d.soname);
        for (size_t i = 0; i < d.needed_count; i++) {
            const char *kept = keep_path(d.needed[i]);
            if (kept != NULL)
                u->needed[u->needed_count++] = kept;
        }
        /* vfork cannot be wrapped (docs/native-shim.md): say who uses it */
        u->imports_vfork = elf_dynamic_imports(&d, "vfork");
    }
    char build_id[130];
    if (elf_build_id(info, build_id, sizeof build_id) > 0)
        u->build_id = keep_path(build_id);
}

static void write_unit(struct unit *u)
{
    struct code_unit_record r = {
        .path = u->path,
        .how = u->how,
        .soname = u->soname,
        .build_id = u->build_id,
        .base = u->base,
        .needed = u->needed,
        .needed_count = u->needed_count,
    };
    record_code_unit(&r);
    u->written = true;
    if (u->imports_vfork)
        record_notice_about(
            "info", "vfork_not_wrapped",
            "imports vfork, which is not intercepted: children it starts are recorded from their exec on", u->path);
}

void code_units_write_pending(void)
{
    unsigned n = code_units_count();
    for (unsigned i = 1; i < n; i++)
        if (!units[i].written)
            write_unit(&units[i]);
}

static int visit_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct refresh_pass *pass = data;
    bool is_exe = pass->first;
    pass->first = false;
    const char *path = info->dlpi_name;
    if (is_exe) {
        if (exe_path[0] == '\0') {
            ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
            if (n <= 0)
                return 0;
            exe_path[n] = '\0';
        }
        path = exe_path;
    } else if (path == NULL || path[0] != '/') {
        return 0; /* the vdso, or a name no file stands behind */
    }

    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    if (lo >= hi)
        return 0;
    bool ours = (uintptr_t)&own_anchor >= lo && (uintptr_t)&own_anchor < hi;
    const char *how = ours ? "preload" : pass->how == UNITS_AT_STARTUP ? "startup" : "dlopen";

    if (find_registered(info->dlpi_addr, path) != UNIT_UNKNOWN)
        return 0;
    unsigned n = atomic_load_explicit(&unit_count, memory_order_relaxed);
    const char *kept = n < CODE_UNITS_MAX ? keep_path(path) : NULL;
    if (kept == NULL)
        return 0; /* full: its calls count as unknown */
    units[n] = (struct unit){ .lo = lo, .hi = hi, .base = info->dlpi_addr, .path = kept, .how = how, .own = ours };
    describe_unit(&units[n], info);
    atomic_store_explicit(&unit_count, n + 1, memory_order_release);
    atomic_fetch_add_explicit(&code_units_generation_value, 1, memory_order_release);
    return 0;
}

void code_units_refresh(enum code_unit_how how)
{
    atomic_store(&refresh_wanted, false);
    atomic_store(&dlopen_pending, false);
    struct refresh_pass pass = { .how = how, .first = true };
    dl_iterate_phdr(visit_object, &pass);
    code_units_write_pending();
}

unsigned code_units_find(uintptr_t addr)
{
    unsigned n = atomic_load_explicit(&unit_count, memory_order_acquire);
    /* Newest first: after a dlclose, a later object may reuse the range. */
    for (unsigned i = n; i-- > 1;)
        if (addr >= units[i].lo && addr < units[i].hi)
            return i;
    return UNIT_UNKNOWN;
}

void code_units_range(unsigned unit, uintptr_t *lo, uintptr_t *hi)
{
    *lo = units[unit].lo;
    *hi = units[unit].hi;
}

uint32_t code_units_generation(void)
{
    return atomic_load_explicit(&code_units_generation_value, memory_order_acquire);
}

unsigned code_units_count(void)
{
    return atomic_load_explicit(&unit_count, memory_order_acquire);
}

const char *code_units_path(unsigned unit)
{
    return units[unit].path;
}

uintptr_t code_units_base(unsigned unit)
{
    return units[unit].base;
}

bool code_units_is_own(unsigned unit)
{
    return units[unit].own;
}

void code_units_forget_written(void)
{
    unsigned n = code_units_count();
    for (unsigned i = 1; i < n; i++)
        units[i].written = false;
}

void code_units_note_unknown(void)
{
    atomic_store_explicit(&refresh_wanted, true, memory_order_relaxed);
}

void code_units_want_refresh(void)
{
    atomic_store_explicit(&refresh_wanted, true, memory_order_relaxed);
}

bool code_units_refresh_wanted(void)
{
    return atomic_load_explicit(&refresh_wanted, memory_order_relaxed);
}

void code_units_note_dlopen(void)
{
    atomic_store_explicit(&refresh_wanted, true, memory_order_relaxed);
    atomic_store_explicit(&dlopen_pending, true, memory_order_relaxed);
}

bool code_units_dlopen_pending(void)
{
    return atomic_load_explicit(&dlopen_pending, memory_order_relaxed);
}

bool code_units_libssl_loaded(void)
{
    unsigned n = code_units_count();
    for (unsigned i = 1; i < n; i++) {
        const char *base = strrchr(units[i].path, '/');
        if (base != NULL && strncmp(base + 1, "libssl.so", 9) == 0)
            return true;
    }
    return false;
}
