/* Reading a loaded object's ELF metadata straight from memory, as
 * dl_iterate_phdr hands it over: soname, DT_NEEDED, GNU build-id, whether it
 * defines or imports a symbol. No allocation, no locks, no file access. */
#ifndef APITRACE_ELF_DYNAMIC_H
#define APITRACE_ELF_DYNAMIC_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>

#define ELF_NEEDED_MAX 64

struct elf_dynamic {
    const ElfW(Sym) *symtab;
    const char *strtab;
    size_t strsz;
    const uint32_t *gnu_hash;
    const ElfW(Half) *versym;
    const ElfW(Verdef) *verdef;
    const char *soname; /* NULL when absent */
    const char *needed[ELF_NEEDED_MAX];
    size_t needed_count;
};

/* false when the object has no readable dynamic section (vdso aside, a
 * static executable). */
bool elf_dynamic_read(const struct dl_phdr_info *info, struct elf_dynamic *d);

/* Whether the object defines name, preferring its default version; a
 * hidden (compat-only) definition counts only when allow_hidden. Sets
 * *version to the version name found, NULL for an unversioned object. */
bool elf_dynamic_defines(const struct elf_dynamic *d, const char *name, bool allow_hidden, const char **version);

/* Whether the object imports (references undefined) name. */
bool elf_dynamic_imports(const struct elf_dynamic *d, const char *name);

/* The NT_GNU_BUILD_ID note as lowercase hex into out (NUL-terminated);
 * returns its length, 0 when there is none. */
size_t elf_build_id(const struct dl_phdr_info *info, char *out, size_t cap);

#endif
