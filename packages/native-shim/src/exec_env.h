/* Re-injection of LD_PRELOAD and APITRACE_DIR into the environment a
 * program is exec'd or spawned with, so that children of a process that
 * scrubs its environment stay observed. On by default; APITRACE_REINJECT=0
 * turns it off. Everything here works on caller (stack) storage: it runs in
 * vfork children, where nothing may allocate or lock. */
#ifndef APITRACE_EXEC_ENV_H
#define APITRACE_EXEC_ENV_H

#include <stdbool.h>
#include <stddef.h>

#define EXEC_ENV_VAR_MAX 8192

/* Constructor: our own path (as LD_PRELOAD named it) and the run dir. */
void exec_env_init(const char *shim_path, const char *run_dir);

/* Entries of envp, for sizing the vector passed to exec_env_reinject. */
size_t exec_env_count(char *const envp[]);

struct exec_env_vars {
    char preload[EXEC_ENV_VAR_MAX];
    char dir[EXEC_ENV_VAR_MAX];
};

/* envp itself when nothing is missing (or re-injection is off); else out,
 * which must hold exec_env_count(envp) + 3 pointers, filled with envp's
 * entries and the added or extended variables (kept in vars). */
char *const *exec_env_reinject(char *const envp[], char **out, struct exec_env_vars *vars);

#endif
