/* The shared objects of this process (the executable too) and which one an
 * address belongs to: how a hook names its caller. Objects are registered
 * from dl_iterate_phdr at startup, after dlopen and when an unknown caller
 * shows up; each is written once per file as a code_unit record. Lookups are
 * lock-free: entries are only appended, and published by a release store of
 * the count. */
#ifndef APITRACE_CODE_UNITS_H
#define APITRACE_CODE_UNITS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define CODE_UNITS_MAX 512
/* Unit 0 stands for an address in no known object (JIT code, or an object
 * loaded behind our back and not registered yet). */
#define UNIT_UNKNOWN 0
#define UNKNOWN_CALLER_PATH "[unknown]"

enum code_unit_how { UNITS_AT_STARTUP, UNITS_AFTER_DLOPEN };

/* Registers objects not seen yet and writes a code_unit record for every
 * object not yet written to this file. Only with the writer held (or before
 * recording starts), never from a signal handler: it takes the loader's
 * lock. */
void code_units_refresh(enum code_unit_how how);

/* Writes the code_unit records not yet in this file (writer held). */
void code_units_write_pending(void);

/* The unit containing addr, or UNIT_UNKNOWN. */
unsigned code_units_find(uintptr_t addr);
/* The range of that unit, for the per-thread cache. */
void code_units_range(unsigned unit, uintptr_t *lo, uintptr_t *hi);
/* Changes whenever a unit is added: per-thread caches start over. */
extern _Atomic uint32_t code_units_generation_value __attribute__((visibility("hidden")));
uint32_t code_units_generation(void);
unsigned code_units_count(void);

/* The path a code_unit record named it by: what caller fields hold. */
const char *code_units_path(unsigned unit);
/* Its load bias (the record's base): an address minus it is the offset the
 * unit's own symbol tables use. */
uintptr_t code_units_base(unsigned unit);
/* Whether the unit is the shim itself: no frame of the application. */
bool code_units_is_own(unsigned unit);

/* A forked child's file starts empty: every unit is written again, from
 * what was kept (the loader's list is not walked in a fork child). */
void code_units_forget_written(void);

/* Set when a hook saw an address in no unit: the next flush refreshes. */
void code_units_note_unknown(void);
bool code_units_refresh_wanted(void);
void code_units_want_refresh(void);

/* A dlopen (or a name lookup, which may load NSS modules) happened: an
 * unknown caller is then worth a refresh right away. */
void code_units_note_dlopen(void);
bool code_units_dlopen_pending(void);

/* Whether libssl is among the loaded objects. */
bool code_units_libssl_loaded(void);

#endif
