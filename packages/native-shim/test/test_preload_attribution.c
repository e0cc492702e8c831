/* Preload tests, real programs run under LD_PRELOAD=build/libapitrace.so.
 * What the records say: the library that made each call, calling sites, the arguments
 * and flags findings need, libraries loaded by dlopen, and TLS. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload_fixture.h"
#include "test_harness.h"

/* The core joins api_usage and call records to code units on caller ==
 * path: the malloc calls sqlite makes belong to libsqlite3, none to libz
 * (linked, never called). */
static void test_caller_attribution(void)
{
    struct fixture *f = fixture_begin("sqlite_and_zlib");
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);
    const char *unit = line_with(f, "\"kind\":\"code_unit\"", "\"soname\":\"libsqlite3.so.0\"", NULL);
    char sqlite_path[1024] = "";
    if (unit != NULL)
        sscanf(strstr(unit, "\"path\":\"") + 8, "%1023[^\"]", sqlite_path);
    long long from_sqlite = usage_sum(f, "libc:malloc", sqlite_path);

    test_begin("preload: caller attribution: sqlite's mallocs are libsqlite3's, libz (unused) calls nothing");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(sqlite_path[0] == '/', "no code_unit for libsqlite3");
    EXPECT(from_sqlite > 2000, "malloc from %s: %lld", sqlite_path, from_sqlite);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"soname\":\"libz.so.1\"", NULL) == 1, "libz not listed loaded");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\"", "\"caller\":\"/lib/x86_64-linux-gnu/libz.so", NULL) +
                   lines_with(f, "\"kind\":\"api_usage\"", "\"caller\":\"/usr/lib/x86_64-linux-gnu/libz.so", NULL) ==
               0,
           "usage attributed to libz");
    EXPECT(lines_with(f, "\"caller\":\"[unknown]\"", NULL, NULL) == 0, "unknown callers");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", f->prog, "\"needed\":[") == 1 &&
               lines_with(f, "\"kind\":\"code_unit\"", f->prog, "\"libz.so.1\"") == 1,
           "the executable's DT_NEEDED does not list libz");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

/* The calling site of a counted call (rand) and of a described one
 * (system) is recorded as an offset in the program, inside the function
 * that made the call; no frame is the shim's own. */
static void test_calling_sites(void)
{
    struct fixture *f = fixture_begin("findings");
    char *work = make_temp_dir();
    fixture_run(f, NULL, work);
    fixture_read(f, f->r.pid, 0);
    unsigned long token_fn = 0, shell_fn = 0, rand_at = 0, system_at = 0;
    const char *p = strstr(f->r.out, "make_secret_token=");
    if (p != NULL)
        sscanf(p, "make_secret_token=%lx", &token_fn);
    p = strstr(f->r.out, "run_shell_command=");
    if (p != NULL)
        sscanf(p, "run_shell_command=%lx", &shell_fn);
    char rand_unit[4200] = "", system_unit[4200] = "";
    bool rand_site =
        calling_site(f, "\"kind\":\"api_usage\",\"api\":\"libc:rand\"", NULL, rand_unit, sizeof rand_unit, &rand_at);
    bool system_site =
        calling_site(f, "\"kind\":\"call\",\"api\":\"libc:system\"", NULL, system_unit, sizeof system_unit, &system_at);

    test_begin("preload: calling sites: rand and system are recorded at an offset inside the calling function");
    EXPECT(exit_code(&f->r) == 0 && token_fn != 0 && shell_fn != 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(rand_site && strcmp(rand_unit, f->prog) == 0, "rand: no stack in the program (%s)", rand_unit);
    EXPECT(rand_at > token_fn && rand_at < token_fn + 0x80, "rand called at 0x%lx, make_secret_token at 0x%lx", rand_at,
           token_fn);
    EXPECT(system_site && strcmp(system_unit, f->prog) == 0, "system: no stack in the program (%s)", system_unit);
    EXPECT(system_at > shell_fn && system_at < shell_fn + 0x80, "system called at 0x%lx, run_shell_command at 0x%lx",
           system_at, shell_fn);
    EXPECT(lines_with(f, "\"kind\":\"stack\"", "libapitrace.so", NULL) == 0, "a frame in the shim itself");
    const char *unresolved = unresolved_stack_ref(f);
    EXPECT(unresolved == NULL, "a record refers to a stack not written before it: %.200s", unresolved);
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    remove_tree(work);
    free(work);
    fixture_end(f);
}

static void test_findings(void)
{
    struct fixture *f = fixture_begin("findings");
    char *work = make_temp_dir();
    fixture_run(f, NULL, work);
    fixture_read(f, f->r.pid, 0);
    int port = 0;
    const char *p = strstr(f->r.out, "port=");
    if (p != NULL)
        port = atoi(p + 5);
    char peer[64];
    snprintf(peer, sizeof peer, "\"peer\":\"127.0.0.1:%d\"", port);
    char local[64];
    snprintf(local, sizeof local, "\"local\":\"127.0.0.1:%d\"", port);

    test_begin("preload: flags and arguments of security-relevant calls");
    EXPECT(exit_code(&f->r) == 0 && strstr(f->r.out, "dlopen=1") != NULL, "exit %d, out %s", exit_code(&f->r),
           f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:creat\"", "\"mode\":\"0666\"",
                      "\"flags\":[\"world_writable\"]") == 1 &&
               lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:creat\"", "\"flags\":[\"world_writable\"]", NULL) ==
                   1,
           "creat 0666 with umask 0: no world_writable call and usage");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:chmod\"", "\"mode\":\"0777\"", "world_writable") == 1,
           "chmod 0777: no world_writable");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:mmap\"", "\"prot\":\"rwx\"", "\"flags\":[\"wx_memory\"]") ==
               1,
           "no wx_memory mapping");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:system\"", "\"command\":\"exit 0\"", "\"shell\"") == 1,
           "system() without command and shell flag");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:rand\"", "\"flags\":[\"weak_random\"]", NULL) == 1,
           "rand without weak_random");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:strcpy\"", "\"flags\":[\"unsafe_string\"]", NULL) == 1,
           "strcpy without unsafe_string");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:getaddrinfo\"", "\"host\":\"localhost\"", NULL) == 1,
           "getaddrinfo host");
    /* bind asks for port 0; listen reports the port it got */
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:bind\"", "\"local\":\"127.0.0.1:0\"", NULL) == 1,
           "bind local");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:listen\"", local, NULL) == 1, "listen local");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:connect\"", peer, "\"result\":{\"ret\":0}") == 1,
           "connect peer %s", peer);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:accept\"", "\"peer\":\"127.0.0.1:", NULL) == 1,
           "accept peer");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:dlopen\"", "\"library\":\"libz.so.1\"", NULL) == 1,
           "dlopen library");
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "\"soname\":\"libz.so.1\"") == 1,
           "libz not recorded as dlopen'd");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    remove_tree(work);
    free(work);
    fixture_end(f);
}

static void test_dlopen_keeps_caller(void)
{
    struct fixture *f = fixture_begin("dlopen_runpath");
    struct run bare;
    run((const char *[]){ f->prog, NULL }, (struct env_setting){ 0 }, &bare);
    fixture_run(f, NULL);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: dlopen searches the calling program's RUNPATH as without the shim");
    EXPECT(strcmp(bare.out, "answer=42\n") == 0, "bare: %s", bare.out);
    EXPECT(strcmp(f->r.out, "answer=42\n") == 0, "with the shim: %s", f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "libapitrace_testlib.so") == 1,
           "the dlopen'd library is not a code unit");
    EXPECT(lines_with(f, "\"kind\":\"api_usage\",\"api\":\"libc:malloc\"", "libapitrace_testlib.so\"", NULL) == 1,
           "its malloc is not attributed to it");
    test_end();
    fixture_end(f);
}

static void test_python_dlopen(void)
{
    struct fixture *f = fixture_begin(NULL);
    fixture_run(f, "/usr/bin/python3", "-c", "import ssl, sqlite3; print('ok')");
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: python3 importing ssl: libssl arrives by dlopen and is a code unit");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s", exit_code(&f->r), f->r.out);
    EXPECT(lines_with(f, "\"kind\":\"code_unit\"", "\"how\":\"dlopen\"", "\"soname\":\"libssl.so.3\"") == 1,
           "no dlopen'd libssl");
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"libc:dlopen\"", "_ssl", NULL) >= 1, "no dlopen of _ssl");
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

static void test_tls(void)
{
    struct fixture *f = fixture_begin("tls_client");
    char cmd[9000], cert[4300], key[4300];
    snprintf(cert, sizeof cert, "%s/cert.pem", f->dir);
    snprintf(key, sizeof key, "%s/key.pem", f->dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=api.example.test -days 1 -keyout '%s' -out '%s' "
             ">/dev/null 2>&1",
             key, cert);
    int made = system(cmd);
    fixture_run(f, NULL, cert, key);
    fixture_read(f, f->r.pid, 0);

    test_begin("preload: OpenSSL: SNI, verify none, and only method, Host and route of an HTTPS request");
    EXPECT(made == 0, "openssl req failed");
    EXPECT(exit_code(&f->r) == 0 && strcmp(f->r.out, "ok\n") == 0, "exit %d, out %s, err %s", exit_code(&f->r),
           f->r.out, f->r.err);
    EXPECT(lines_with(f, "\"kind\":\"call\",\"api\":\"openssl:SSL_ctrl\"", "\"host\":\"api.example.test\"", NULL) == 1,
           "no SNI call record");
    EXPECT(lines_with(f, "\"api\":\"openssl:SSL_CTX_set_verify\"", "verify_none", NULL) >= 1, "no verify_none");
    EXPECT(lines_with(f, "\"kind\":\"web_api\",\"direction\":\"called\",\"method\":\"GET\",\"scheme\":\"https\"",
                      "\"host\":\"api.example.test:443\"", "\"route\":\"/users/:id/orders/:id\"") == 1,
           "no web_api record with the templated route");
    EXPECT(f->text != NULL && strstr(f->text, "sekrit") == NULL && strstr(f->text, "hunter2") == NULL &&
               strstr(f->text, "Bearer") == NULL,
           "a secret of the request reached disk");
    /* client request and server reply; both sides live in this program */
    EXPECT(usage_sum(f, "openssl:SSL_write", f->prog) == 2 && usage_sum(f, "openssl:SSL_read", f->prog) == 2,
           "SSL_write %lld, SSL_read %lld", usage_sum(f, "openssl:SSL_write", f->prog),
           usage_sum(f, "openssl:SSL_read", f->prog));
    const char *invalid = fixture_invalid(f);
    EXPECT(invalid == NULL, "schema: %s", invalid);
    test_end();
    fixture_end(f);
}

void run_preload_attribution_tests(void)
{
    test_caller_attribution();
    test_findings();
    test_calling_sites();
    test_dlopen_keeps_caller();
    test_tls();
    test_python_dlopen();
}
