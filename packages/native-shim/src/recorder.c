#include "recorder.h"

#include <stdatomic.h>

#include "caller_stacks.h"
#include "code_units.h"
#include "event_records.h"
#include "event_writer.h"
#include "real_symbols.h"

_Atomic bool recorder_on;
_Atomic uint64_t recorder_last_flush_ns;

/* Everything below is touched only by the thread holding the writer. */

/* Counts merged from the per-thread cells, before they become records; also
 * where calls land whose subject could not be kept. first_addr is the
 * calling site of the first call since the last flush. */
static struct {
    uint64_t delta, first_t;
    uintptr_t first_addr;
} merged[CODE_UNITS_MAX][API_COUNT];

#define SUBJECT_SLOTS 8192 /* open addressing, at most SUBJECTS_MAX used */
#define SUBJECTS_MAX 4096
struct subject_key {
    bool used;
    uint16_t api, unit;
    uint32_t hash;
    const char *subject;
    uint32_t flags;
    uint32_t calls_written;
    uint64_t delta, first_t, last_t;
    uintptr_t first_addr;
};
static struct subject_key subjects[SUBJECT_SLOTS];
static unsigned subjects_used;
static char subject_pool[1024 * 1024];
static size_t subject_pool_used;

#define WEB_MAX 256
struct web_key {
    bool used;
    uint16_t unit;
    char method[16], host[256], route[512];
    uint64_t delta, first_t, last_t;
};
static struct web_key webs[WEB_MAX];

/* Lost detail, reported as notices. */
static uint64_t subjects_lost, web_lost, calls_not_written;

static uint32_t text_hash(const char *s, unsigned api, unsigned unit)
{
    uint32_t h = 2166136261u ^ api ^ (unit << 16);
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static struct subject_key *subject_key_for(const struct call_event *e)
{
    uint32_t h = text_hash(e->subject, e->api, e->unit);
    for (unsigned i = h % SUBJECT_SLOTS, probes = 0; probes < SUBJECT_SLOTS; i = (i + 1) % SUBJECT_SLOTS, probes++) {
        struct subject_key *k = &subjects[i];
        if (!k->used) {
            size_t n = strlen(e->subject) + 1;
            if (subjects_used >= SUBJECTS_MAX || subject_pool_used + n > sizeof subject_pool)
                return NULL;
            char *copy = subject_pool + subject_pool_used;
            memcpy(copy, e->subject, n);
            subject_pool_used += n;
            subjects_used++;
            *k = (struct subject_key){ .used = true, .api = e->api, .unit = e->unit, .hash = h, .subject = copy };
            return k;
        }
        if (k->hash == h && k->api == e->api && k->unit == e->unit && strcmp(k->subject, e->subject) == 0)
            return k;
    }
    return NULL;
}

static void take_web_event(const struct call_event *e)
{
    /* detail holds "METHOD route", subject the host */
    const char *space = strchr(e->detail, ' ');
    if (space == NULL)
        return;
    size_t mlen = (size_t)(space - e->detail);
    const char *route = space + 1;
    struct web_key *free_slot = NULL;
    for (unsigned i = 0; i < WEB_MAX; i++) {
        struct web_key *k = &webs[i];
        if (!k->used) {
            if (free_slot == NULL)
                free_slot = k;
            continue;
        }
        if (k->unit == e->unit && strlen(k->method) == mlen && memcmp(k->method, e->detail, mlen) == 0 &&
            strcmp(k->host, e->subject) == 0 && strcmp(k->route, route) == 0) {
            k->delta++;
            if (k->delta == 1)
                k->first_t = e->t0;
            k->last_t = e->t1;
            return;
        }
    }
    if (free_slot == NULL || mlen >= sizeof free_slot->method || strlen(e->subject) >= sizeof free_slot->host ||
        strlen(route) >= sizeof free_slot->route) {
        web_lost++;
        return;
    }
    *free_slot = (struct web_key){ .used = true, .unit = e->unit, .delta = 1, .first_t = e->t0, .last_t = e->t1 };
    memcpy(free_slot->method, e->detail, mlen);
    free_slot->method[mlen] = '\0';
    memcpy(free_slot->host, e->subject, strlen(e->subject) + 1);
    memcpy(free_slot->route, route, strlen(route) + 1);
}

static void take_call_event(const struct call_event *e)
{
    struct subject_key *k = subject_key_for(e);
    if (k == NULL) {
        /* counted all the same, under (api, caller) without its subject */
        subjects_lost++;
        if (merged[e->unit][e->api].delta++ == 0 || e->t0 < merged[e->unit][e->api].first_t) {
            merged[e->unit][e->api].first_t = e->t0;
            merged[e->unit][e->api].first_addr = e->addr;
        }
        return;
    }
    if (k->delta++ == 0) {
        k->first_t = e->t0;
        k->first_addr = e->addr;
    }
    k->last_t = e->t1;
    k->flags |= e->flags;
    if (k->calls_written < CALLS_PER_KEY) {
        k->calls_written++;
        record_call(e, code_units_path(e->unit), caller_stack_id(e->unit, e->addr));
    } else {
        calls_not_written++;
    }
}

static void drain_ring(struct thread_table *t)
{
    uint64_t reserved = atomic_load_explicit(&t->reserved, memory_order_acquire);
    uint64_t i = atomic_load_explicit(&t->drained, memory_order_relaxed);
    for (; i < reserved; i++) {
        struct call_event *e = &t->ring[i % CALL_RING];
        if (!atomic_load_explicit(&e->ready, memory_order_acquire))
            break; /* still being filled: the next flush takes it */
        if (e->kind == EVENT_WEB)
            take_web_event(e);
        else
            take_call_event(e);
        atomic_store_explicit(&e->ready, 0, memory_order_relaxed);
        atomic_store_explicit(&t->drained, i + 1, memory_order_release);
    }
}

static void merge_cells(struct thread_table *t, unsigned units, uint64_t now)
{
    for (unsigned u = 0; u < units; u++) {
        for (unsigned a = 0; a < API_COUNT; a++) {
            struct usage_cell *c = &t->cells[u][a];
            uint64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
            uint64_t r = atomic_load_explicit(&c->reported, memory_order_relaxed);
            if (n == r)
                continue;
            uint64_t first = atomic_load_explicit(&c->first_t, memory_order_relaxed);
            if (first == 0 || first > now)
                first = now;
            /* read without ordering against count: an address from an
             * earlier interval is still a real calling site of this cell */
            uintptr_t addr = atomic_load_explicit(&c->first_addr, memory_order_relaxed);
            atomic_store_explicit(&c->reported, n, memory_order_relaxed);
            if (merged[u][a].delta == 0 || first < merged[u][a].first_t) {
                merged[u][a].first_t = first;
                merged[u][a].first_addr = addr;
            }
            merged[u][a].delta += n - r;
        }
    }
}

static void write_usage(unsigned units, uint64_t now)
{
    for (unsigned u = 0; u < units; u++)
        for (unsigned a = 0; a < API_COUNT; a++) {
            if (merged[u][a].delta == 0)
                continue;
            struct api_usage_record r = {
                .api = hook_apis[a].id,
                .category = hook_apis[a].category,
                .caller = code_units_path(u),
                .count = merged[u][a].delta,
                .first_t = merged[u][a].first_t,
                .last_t = now,
                .flags = hook_apis[a].flags,
                .stack = caller_stack_id(u, merged[u][a].first_addr),
            };
            record_api_usage(&r);
            merged[u][a].delta = 0;
        }
    for (unsigned i = 0; i < SUBJECT_SLOTS; i++) {
        struct subject_key *k = &subjects[i];
        if (!k->used || k->delta == 0)
            continue;
        struct api_usage_record r = {
            .api = hook_apis[k->api].id,
            .category = hook_apis[k->api].category,
            .caller = code_units_path(k->unit),
            .subject = k->subject,
            .count = k->delta,
            .first_t = k->first_t,
            .last_t = k->last_t,
            .flags = k->flags | hook_apis[k->api].flags,
            .stack = caller_stack_id(k->unit, k->first_addr),
        };
        record_api_usage(&r);
        k->delta = 0;
    }
    for (unsigned i = 0; i < WEB_MAX; i++) {
        struct web_key *k = &webs[i];
        if (!k->used || k->delta == 0)
            continue;
        struct web_api_record r = {
            .method = k->method,
            .host = k->host,
            .route = k->route,
            .caller = code_units_path(k->unit),
            .count = k->delta,
            .first_t = k->first_t,
            .last_t = k->last_t,
        };
        record_web_api(&r);
        k->delta = 0;
    }
}

static void write_losses(bool final)
{
    uint64_t dropped = 0;
    for (struct thread_table *t = thread_tables_first(); t != NULL; t = t->next)
        dropped += atomic_exchange(&t->calls_dropped, 0);
    if (dropped > 0)
        record_notice_count("warn", "call_events_dropped",
                            "calls came faster than the flush: counted in api_usage without their subject", dropped);
    if (subjects_lost > 0)
        record_notice_count("warn", "subjects_full",
                            "too many distinct subjects: further calls counted in api_usage without one",
                            subjects_lost);
    if (web_lost > 0)
        record_notice_count("warn", "web_requests_dropped", "too many distinct web routes: not recorded", web_lost);
    uint64_t sites_lost = caller_stacks_take_lost();
    if (sites_lost > 0)
        record_notice_count("warn", "stacks_full", "too many distinct calling sites: further records carry no stack",
                            sites_lost);
    subjects_lost = web_lost = 0;
    if (final && calls_not_written > 0) {
        record_notice_count(
            "info", "calls_sampled",
            "calls counted in api_usage but not written as call records (first 8 per api, caller and subject are)",
            calls_not_written);
        calls_not_written = 0;
    }
}

void recorder_flush(enum flush_kind kind)
{
    if (!atomic_load_explicit(&recorder_on, memory_order_relaxed))
        return;
    int saved_errno = errno;
    if (!event_writer_batch_begin(kind != FLUSH_TRY && kind != FLUSH_FATAL)) {
        errno = saved_errno;
        return;
    }
    uint64_t now = event_clock_monotonic_ns();
    atomic_store_explicit(&recorder_last_flush_ns, now, memory_order_relaxed);
    /* the loader's list is walked only where the loader's lock may be
     * taken: not in a signal handler */
    bool loader_ok = kind != FLUSH_FATAL && kind != FLUSH_FORK_CHILD;
    if (loader_ok && (code_units_refresh_wanted() || kind == FLUSH_FINAL))
        code_units_refresh(UNITS_AFTER_DLOPEN);
    else
        code_units_write_pending();
    if (loader_ok && code_units_libssl_loaded())
        real_symbols_resolve_openssl();
    unsigned units = code_units_count();
    for (struct thread_table *t = thread_tables_first(); t != NULL; t = t->next) {
        int state = atomic_load_explicit(&t->state, memory_order_acquire);
        if (state == TABLE_FREE)
            continue;
        drain_ring(t);
        merge_cells(t, units, now);
        if (state == TABLE_EXITED)
            thread_table_release_if_exited(t);
    }
    write_usage(units, now);
    write_losses(kind == FLUSH_FINAL || kind == FLUSH_FATAL);
    event_writer_batch_end();
    if (!event_writer_is_recording())
        atomic_store(&recorder_on, false);
    errno = saved_errno;
}

/* Moves cache entry i to the front, where the inline check looks. */
static unsigned cache_promote(struct hook_thread *s, int i)
{
    uintptr_t lo = s->cache_lo[i], hi = s->cache_hi[i];
    uint16_t unit = s->cache_unit[i];
    for (; i > 0; i--) {
        s->cache_lo[i] = s->cache_lo[i - 1];
        s->cache_hi[i] = s->cache_hi[i - 1];
        s->cache_unit[i] = s->cache_unit[i - 1];
    }
    s->cache_lo[0] = lo;
    s->cache_hi[0] = hi;
    s->cache_unit[0] = unit;
    return unit;
}

unsigned recorder_caller_unit_slow(uintptr_t addr)
{
    struct hook_thread *s = &hook_self;
    uint32_t g = code_units_generation();
    if (s->cache_generation != g) {
        for (int i = 0; i < CALLER_CACHE; i++)
            s->cache_lo[i] = s->cache_hi[i] = 0;
        s->cache_generation = g;
    }
    for (int i = 0; i < CALLER_CACHE; i++)
        if (addr - s->cache_lo[i] < s->cache_hi[i] - s->cache_lo[i])
            return cache_promote(s, i);
    unsigned u = code_units_find(addr);
    if (u == UNIT_UNKNOWN && code_units_dlopen_pending()) {
        /* most likely the library just dlopen'd: register it now (only if
         * the writer is free) rather than count it as unknown until the
         * next periodic flush */
        recorder_flush(FLUSH_TRY);
        u = code_units_find(addr);
    }
    if (u == UNIT_UNKNOWN) {
        code_units_note_unknown();
        return u;
    }
    /* the least recently used entry makes room, the new one goes first */
    code_units_range(u, &s->cache_lo[CALLER_CACHE - 1], &s->cache_hi[CALLER_CACHE - 1]);
    s->cache_unit[CALLER_CACHE - 1] = (uint16_t)u;
    return cache_promote(s, CALLER_CACHE - 1);
}

__attribute__((noinline, cold)) struct thread_table *recorder_first_table(void)
{
    return thread_table_get();
}

__attribute__((noinline)) void recorder_count_slow(enum hook_api api, void *ret_addr)
{
    if (!atomic_load_explicit(&recorder_on, memory_order_relaxed) || hook_self.busy)
        return;
    thread_guard_enter();
    struct thread_table *t = hook_self.table;
    if (t == NULL)
        t = recorder_first_table();
    if (t != NULL) {
        unsigned unit = recorder_caller_unit((uintptr_t)ret_addr);
        struct usage_cell *c = &t->cells[unit][api];
        uint64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
        if (n == atomic_load_explicit(&c->reported, memory_order_relaxed)) {
            atomic_store_explicit(&c->first_t, event_clock_monotonic_ns(), memory_order_relaxed);
            atomic_store_explicit(&c->first_addr, (uintptr_t)ret_addr, memory_order_relaxed);
        }
        atomic_store_explicit(&c->count, n + 1, memory_order_relaxed);
        if (((n + 1) & 0xfff) == 0)
            recorder_flush_due();
    }
    thread_guard_leave();
}

__attribute__((cold)) void recorder_flush_due(void)
{
    uint64_t now = event_clock_monotonic_ns();
    if (now - atomic_load_explicit(&recorder_last_flush_ns, memory_order_relaxed) >= FLUSH_INTERVAL_NS)
        recorder_flush(FLUSH_TRY);
}

struct call_event *recorder_call_event(struct hook_call *c)
{
    if (!c->on)
        return NULL;
    thread_guard_enter();
    struct thread_table *t = thread_table_get();
    if (t == NULL)
        return NULL;
    uint64_t reserved = atomic_load_explicit(&t->reserved, memory_order_relaxed);
    /* A little slack: a signal handler may reserve between check and add. */
    if (reserved - atomic_load_explicit(&t->drained, memory_order_acquire) >= CALL_RING - 4) {
        atomic_fetch_add_explicit(&t->calls_dropped, 1, memory_order_relaxed);
        struct usage_cell *cell = &t->cells[c->unit][c->api];
        uint64_t n = atomic_load_explicit(&cell->count, memory_order_relaxed);
        if (n == atomic_load_explicit(&cell->reported, memory_order_relaxed)) {
            atomic_store_explicit(&cell->first_t, c->t0, memory_order_relaxed);
            atomic_store_explicit(&cell->first_addr, c->addr, memory_order_relaxed);
        }
        atomic_store_explicit(&cell->count, n + 1, memory_order_relaxed);
        return NULL;
    }
    uint64_t slot = atomic_fetch_add_explicit(&t->reserved, 1, memory_order_relaxed);
    struct call_event *e = &t->ring[slot % CALL_RING];
    e->kind = EVENT_CALL;
    e->subject_arg = SUBJECT_NONE;
    e->detail_arg = DETAIL_NONE;
    e->ret_kind = RET_NONE;
    e->api = c->api;
    e->unit = c->unit;
    e->flags = 0;
    e->tid = thread_tid();
    e->addr = c->addr;
    e->t0 = c->t0;
    e->t1 = event_clock_monotonic_ns();
    e->ret = 0;
    e->err = -1;
    e->fd = e->oflags = e->mode = -1;
    e->subject[0] = e->detail[0] = '\0';
    return e;
}

void recorder_call_publish(struct hook_call *c, struct call_event *e)
{
    if (!c->on)
        return;
    bool due = false;
    if (e != NULL) {
        atomic_store_explicit(&e->ready, 1, memory_order_release);
        struct thread_table *t = hook_self.table;
        due = t != NULL && atomic_load_explicit(&t->reserved, memory_order_relaxed) -
                                   atomic_load_explicit(&t->drained, memory_order_relaxed) >=
                               CALL_RING / 2;
        due = due || e->t1 - atomic_load_explicit(&recorder_last_flush_ns, memory_order_relaxed) >= FLUSH_INTERVAL_NS;
    }
    if (due)
        recorder_flush(FLUSH_TRY);
    thread_guard_leave();
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void call_event_text(struct call_event *e, int subject_arg, const char *text)
{
    if (e == NULL)
        return;
    e->subject_arg = (uint8_t)subject_arg;
    copy_text(e->subject, sizeof e->subject, text);
}

void call_event_detail(struct call_event *e, int detail_arg, const char *text)
{
    if (e == NULL)
        return;
    e->detail_arg = (uint8_t)detail_arg;
    copy_text(e->detail, sizeof e->detail, text);
}

void recorder_web_request(enum hook_api api, void *ret_addr, const char *method, const char *host, const char *route)
{
    struct hook_call c;
    if (!recorder_call_begin(&c, api, ret_addr))
        return;
    struct call_event *e = recorder_call_event(&c);
    if (e != NULL) {
        /* not a call of its own: the api was counted by the hook */
        e->kind = EVENT_WEB;
        copy_text(e->subject, sizeof e->subject, host);
        size_t m = strlen(method);
        if (m + 2 < sizeof e->detail) {
            memcpy(e->detail, method, m);
            e->detail[m] = ' ';
            copy_text(e->detail + m + 1, sizeof e->detail - m - 1, route);
        }
    }
    recorder_call_publish(&c, e);
}

void recorder_start(void)
{
    atomic_store(&recorder_last_flush_ns, event_clock_monotonic_ns());
    atomic_store(&recorder_on, true);
}

void recorder_after_fork_child(void)
{
    thread_tables_after_fork_child();
    /* The aggregates hold no deltas here (the fork handler waited for any
     * flush to finish); only the per-file call budget starts over. Slots
     * are written only where needed so the child copies few pages. */
    for (unsigned i = 0; i < SUBJECT_SLOTS; i++)
        if (subjects[i].calls_written != 0)
            subjects[i].calls_written = 0;
    subjects_lost = web_lost = calls_not_written = 0;
    code_units_forget_written();
    caller_stacks_forget_written();
    atomic_store(&recorder_last_flush_ns, event_clock_monotonic_ns());
}
