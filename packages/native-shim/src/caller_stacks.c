#include "caller_stacks.h"

#include <stdbool.h>

#include "code_units.h"
#include "event_records.h"

#define SITE_SLOTS (2 * CALLER_STACKS_MAX) /* open addressing, at most half used */

/* A slot is in use for the current file only when its generation is the
 * current one: a fork child forgets every site by bumping it, without
 * writing (and so copying) the table's pages. */
struct site {
    uint32_t generation, id;
    uint16_t unit;
    uintptr_t addr;
};

static struct site sites[SITE_SLOTS];
static uint32_t generation = 1;
static unsigned sites_used;
static uint64_t sites_lost;

static unsigned site_hash(unsigned unit, uintptr_t addr)
{
    uint64_t h = (uint64_t)addr ^ ((uint64_t)unit << 48);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (unsigned)(h % SITE_SLOTS);
}

unsigned caller_stack_id(unsigned unit, uintptr_t addr)
{
    if (addr == 0 || unit == UNIT_UNKNOWN || unit >= code_units_count() || code_units_is_own(unit))
        return 0;
    for (unsigned i = site_hash(unit, addr), probes = 0; probes < SITE_SLOTS; i = (i + 1) % SITE_SLOTS, probes++) {
        struct site *s = &sites[i];
        if (s->generation == generation) {
            if (s->unit == unit && s->addr == addr)
                return s->id;
            continue;
        }
        if (sites_used >= CALLER_STACKS_MAX) {
            sites_lost++;
            return 0;
        }
        *s = (struct site){ .generation = generation, .id = ++sites_used, .unit = (uint16_t)unit, .addr = addr };
        record_stack(s->id, code_units_path(unit), addr - code_units_base(unit));
        return s->id;
    }
    sites_lost++;
    return 0;
}

void caller_stacks_forget_written(void)
{
    generation++;
    sites_used = 0;
    sites_lost = 0;
}

uint64_t caller_stacks_take_lost(void)
{
    uint64_t n = sites_lost;
    sites_lost = 0;
    return n;
}
