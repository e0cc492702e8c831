package dev.apitrace.agent;

/** One frame of a recorded Java stack: {@code Class.method}, source file, line, code source path. */
final class JavaFrame {
    final String fn;
    final String file;
    final int line;
    final String unit;

    JavaFrame(String fn, String file, int line, String unit) {
        this.fn = fn;
        this.file = file;
        this.line = line;
        this.unit = unit;
    }

    /** The identity of the frame for deduplicating stacks. */
    void appendKey(StringBuilder key) {
        key.append(fn)
                .append('|')
                .append(file)
                .append('|')
                .append(line)
                .append('|')
                .append(unit)
                .append('\n');
    }
}
