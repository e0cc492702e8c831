#include "elf_dynamic.h"

#include <elf.h>
#include <string.h>

/* Where the loader left an address of the dynamic section: glibc relocates
 * these entries in place on most targets, not on all (read-only dynamic
 * sections, the vdso). An unrelocated value is an offset below the base. */
static const void *dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) v)
{
    if (info->dlpi_addr != 0 && v < info->dlpi_addr)
        v += info->dlpi_addr;
    return (const void *)v;
}

bool elf_dynamic_read(const struct dl_phdr_info *info, struct elf_dynamic *d)
{
    memset(d, 0, sizeof *d);
    const ElfW(Dyn) *dyn = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (dyn == NULL)
        return false;

    ElfW(Addr) soname = 0;
    bool has_soname = false;
    ElfW(Addr) needed[ELF_NEEDED_MAX];
    size_t needed_n = 0;
    for (const ElfW(Dyn) *e = dyn; e->d_tag != DT_NULL; e++) {
        switch (e->d_tag) {
        case DT_SYMTAB: d->symtab = dyn_ptr(info, e->d_un.d_ptr); break;
        case DT_STRTAB: d->strtab = dyn_ptr(info, e->d_un.d_ptr); break;
        case DT_STRSZ: d->strsz = e->d_un.d_val; break;
        case DT_GNU_HASH: d->gnu_hash = dyn_ptr(info, e->d_un.d_ptr); break;
        case DT_VERSYM: d->versym = dyn_ptr(info, e->d_un.d_ptr); break;
        case DT_VERDEF: d->verdef = dyn_ptr(info, e->d_un.d_ptr); break;
        case DT_SONAME:
            soname = e->d_un.d_val;
            has_soname = true;
            break;
        case DT_NEEDED:
            if (needed_n < ELF_NEEDED_MAX)
                needed[needed_n++] = e->d_un.d_val;
            break;
        default: break;
        }
    }
    if (d->strtab == NULL || d->symtab == NULL)
        return false;
    if (has_soname && soname < d->strsz)
        d->soname = d->strtab + soname;
    for (size_t i = 0; i < needed_n; i++)
        if (needed[i] < d->strsz)
            d->needed[d->needed_count++] = d->strtab + needed[i];
    return true;
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        h = h * 33 + *p;
    return h;
}

static const char *version_name(const struct elf_dynamic *d, unsigned index)
{
    const ElfW(Verdef) *v = d->verdef;
    while (v != NULL) {
        if (v->vd_ndx == index) {
            const ElfW(Verdaux) *aux = (const ElfW(Verdaux) *)((const char *)v + v->vd_aux);
            return aux->vda_name < d->strsz ? d->strtab + aux->vda_name : NULL;
        }
        if (v->vd_next == 0)
            break;
        v = (const ElfW(Verdef) *)((const char *)v + v->vd_next);
    }
    return NULL;
}

bool elf_dynamic_defines(const struct elf_dynamic *d, const char *name, bool allow_hidden, const char **version)
{
    const uint32_t *h = d->gnu_hash;
    *version = NULL;
    if (h == NULL)
        return false; /* every glibc-era object has one */
    uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
    const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(h + 4) + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    uint32_t hash = gnu_hash(name);
    if (nbuckets == 0)
        return false;
    uint32_t i = buckets[hash % nbuckets];
    if (i < symoffset)
        return false;
    bool found = false;
    for (;; i++) {
        uint32_t h2 = chain[i - symoffset];
        const ElfW(Sym) *s = &d->symtab[i];
        if ((hash | 1) == (h2 | 1) && s->st_name < d->strsz && s->st_shndx != SHN_UNDEF &&
            strcmp(d->strtab + s->st_name, name) == 0) {
            if (d->versym == NULL)
                return true;
            ElfW(Half) vs = d->versym[i];
            if ((vs & 0x8000) == 0) {
                *version = version_name(d, vs & 0x7fff);
                return true; /* the default definition */
            }
            if (allow_hidden && !found) {
                *version = version_name(d, vs & 0x7fff);
                found = true;
            }
        }
        if (h2 & 1)
            return found;
    }
}

/* Undefined symbols come first in .dynsym: GNU hash only covers the defined
 * ones from symoffset on. */
bool elf_dynamic_imports(const struct elf_dynamic *d, const char *name)
{
    if (d->gnu_hash == NULL)
        return false;
    uint32_t symoffset = d->gnu_hash[1];
    for (uint32_t i = 1; i < symoffset; i++) {
        const ElfW(Sym) *s = &d->symtab[i];
        if (s->st_shndx == SHN_UNDEF && s->st_name < d->strsz && strcmp(d->strtab + s->st_name, name) == 0)
            return true;
    }
    return false;
}

size_t elf_build_id(const struct dl_phdr_info *info, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *n;
            const unsigned char *desc = (const unsigned char *)name + ((n->n_namesz + 3) & ~3u);
            const char *next = (const char *)desc + ((n->n_descsz + 3) & ~3u);
            if (next > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                cap > 2 * (size_t)n->n_descsz) {
                for (size_t k = 0; k < n->n_descsz; k++) {
                    out[2 * k] = hex[desc[k] >> 4];
                    out[2 * k + 1] = hex[desc[k] & 15];
                }
                out[2 * n->n_descsz] = '\0';
                return 2 * (size_t)n->n_descsz;
            }
            p = next;
        }
    }
    if (cap > 0)
        out[0] = '\0';
    return 0;
}
