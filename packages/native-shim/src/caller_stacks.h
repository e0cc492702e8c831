/* The calling site of a recorded call as a `stack` record of one frame:
 * the calling code unit and the offset of the wrapper's return address in
 * it. That is all the core needs to name the function offline, from the
 * unit's symbol tables once it has checked the unit's build-id; nothing is
 * looked up in the process. Each distinct site is written once per file,
 * before the first record that refers to it. Only with the writer held. */
#ifndef APITRACE_CALLER_STACKS_H
#define APITRACE_CALLER_STACKS_H

#include <stdint.h>

#define CALLER_STACKS_MAX 4096

/* The stack id of the site addr in unit, its record written now when new;
 * 0 when there is none: an address in no known unit or in the shim itself,
 * or more than CALLER_STACKS_MAX sites in this file. */
unsigned caller_stack_id(unsigned unit, uintptr_t addr);

/* A forked child's file starts empty: every site is written again. */
void caller_stacks_forget_written(void);

/* How many records went without a stack because the table was full, since
 * the last call. */
uint64_t caller_stacks_take_lost(void);

#endif
