"""Turns packages/core/schema/redaction-vectors.json into a C header, so the
C tests run exactly the vectors every emitter shares.

usage: gen_redaction_vectors.py <vectors.json> <out.h>
"""
import json
import os
import sys


def c_string(s):
    # Octal escapes for every byte outside printable ASCII: they stop after
    # three digits, unlike \x, which would swallow a following hex digit.
    out = []
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\' or ch == "?":
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_array(items):
    return "(const char *const[]){ " + "".join(c_string(s) + ", " for s in items) + "NULL }"


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        vectors = json.load(f)["vectors"]
    lines = [
        "/* Generated from %s by %s. Do not edit. */" % (os.path.basename(src), os.path.basename(__file__)),
        "#include <stddef.h>",
        "struct redaction_vector {",
        "    const char *const *argv;",
        "    size_t argc;",
        "    const char *const *redacted;",
        "    size_t redacted_count;",
        "};",
        "static const struct redaction_vector redaction_vectors[] = {",
    ]
    for v in vectors:
        lines.append("    { %s, %d, %s, %d }," % (c_array(v["argv"]), len(v["argv"]),
                                                  c_array(v["redacted"]), len(v["redacted"])))
    lines += ["};", ""]
    tmp = dst + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("\n".join(lines))
    os.replace(tmp, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
