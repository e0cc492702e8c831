/* The one writer of this process's event file: it owns the file, the record
 * buffer, flushing, the record and drop counts, and what fork does to them.
 * Record formats live in event_records.c; nothing else writes the file.
 *
 * The write path never allocates: one static buffer, one mutex. A record is
 * formatted straight into the buffer between event_writer_begin() and
 * event_writer_commit(), with the lock held. */
#ifndef APITRACE_EVENT_WRITER_H
#define APITRACE_EVENT_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "json_out.h"

#define EVENT_WRITER_BUFFER (128 * 1024)
/* Room begin() guarantees a record (it flushes first when less is left);
 * a record longer than the room it gets is dropped and counted. */
#define EVENT_RECORD_MAX (16 * 1024)

/* Creates this process's event file in dir (which must stay valid while
 * recording) and starts recording. On failure prints the contract's single
 * stderr line and stays off. Returns whether recording. */
bool event_writer_open(const char *dir, pid_t pid, unsigned *seq);

bool event_writer_is_recording(void);

/* Locks the writer and returns where to format one record (without its
 * newline), or NULL when not recording (the record is then not written:
 * counted as dropped when it was lost rather than never wanted). */
struct json_out *event_writer_begin(void);

/* Ends the record begun last and unlocks. A record that overflowed is
 * dropped and counted. Flushes when the buffer is nearly full or the last
 * flush is more than a second old. */
void event_writer_commit(struct json_out *record);

/* Like commit, for process_end: nothing is accepted after it, and the
 * buffer is flushed now. */
void event_writer_commit_last(struct json_out *record);

struct event_writer_totals {
    uint64_t records; /* committed to this file so far */
    uint64_t dropped;
};
/* Only between begin and commit. */
struct event_writer_totals event_writer_totals(void);

void event_writer_flush(void);

/* Holds the writer across several records (begin/commit inside do not lock
 * again): the flush of the hooks' counters and call events. wait false
 * only tries the lock, for flushes started from a hook. Returns false when
 * not recording, in another process (a vfork child), or the lock was not
 * taken. batch_end writes the buffer out and unlocks. */
bool event_writer_batch_begin(bool wait);
void event_writer_batch_end(void);

/* Fork handlers. Prepare takes the lock so the child inherits a consistent
 * buffer; the parent keeps and later writes its records; the child drops
 * them, leaves the parent's file alone, and returns whether it should open a
 * file of its own (only when the parent was recording). */
void event_writer_before_fork(void);
void event_writer_after_fork_parent(void);
bool event_writer_after_fork_child(void);

/* The directory given to event_writer_open, for the child's own file. */
const char *event_writer_dir(void);

#endif
