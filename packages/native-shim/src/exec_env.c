#include "exec_env.h"

#include <stdlib.h>
#include <string.h>

static char shim[4096];
static char dir[4096];
static bool enabled;

void exec_env_init(const char *shim_path, const char *run_dir)
{
    const char *flag = getenv("APITRACE_REINJECT");
    enabled = !(flag != NULL && strcmp(flag, "0") == 0);
    size_t s = strlen(shim_path), d = strlen(run_dir);
    if (s == 0 || s >= sizeof shim || d == 0 || d >= sizeof dir) {
        enabled = false;
        return;
    }
    memcpy(shim, shim_path, s + 1);
    memcpy(dir, run_dir, d + 1);
}

size_t exec_env_count(char *const envp[])
{
    size_t n = 0;
    if (envp != NULL)
        while (envp[n] != NULL)
            n++;
    return n;
}

/* ld.so splits LD_PRELOAD on spaces and colons. */
static bool preload_has_shim(const char *value)
{
    size_t n = strlen(shim);
    for (const char *p = value; *p != '\0';) {
        size_t len = strcspn(p, ": ");
        if (len == n && memcmp(p, shim, n) == 0)
            return true;
        p += len;
        if (*p != '\0')
            p++;
    }
    return false;
}

static bool put(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > EXEC_ENV_VAR_MAX)
        return false;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return true;
}

char *const *exec_env_reinject(char *const envp[], char **out, struct exec_env_vars *vars)
{
    if (!enabled || envp == NULL)
        return envp;
    long preload_at = -1, dir_at = -1;
    size_t n = 0;
    for (; envp[n] != NULL; n++) {
        if (strncmp(envp[n], "LD_PRELOAD=", 11) == 0)
            preload_at = (long)n;
        else if (strncmp(envp[n], "APITRACE_DIR=", 13) == 0)
            dir_at = (long)n;
    }
    bool preload_ok = preload_at >= 0 && preload_has_shim(envp[preload_at] + 11);
    if (preload_ok && dir_at >= 0)
        return envp;

    size_t len = 0;
    if (!preload_ok) {
        bool fits = put(vars->preload, &len, "LD_PRELOAD=") && put(vars->preload, &len, shim);
        if (fits && preload_at >= 0 && envp[preload_at][11] != '\0')
            fits = put(vars->preload, &len, ":") && put(vars->preload, &len, envp[preload_at] + 11);
        if (!fits)
            return envp; /* an absurdly long LD_PRELOAD: leave it alone */
    }
    if (dir_at < 0) {
        len = 0;
        put(vars->dir, &len, "APITRACE_DIR=");
        put(vars->dir, &len, dir);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        out[k++] = (long)i == preload_at && !preload_ok ? vars->preload : envp[i];
    if (preload_at < 0)
        out[k++] = vars->preload;
    if (dir_at < 0)
        out[k++] = vars->dir;
    out[k] = NULL;
    return out;
}
