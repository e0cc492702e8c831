package dev.apitrace.agent;

import java.util.Arrays;

/**
 * The entry probe of {@link ProbeTransformer}, put in by editing the class file bytes in
 * one pass instead of parsing and writing the class again with ASM: a class costs a copy
 * of its bytes, not a decoding of its instructions.
 *
 * <p>The probe is {@code getstatic Probes.ARRAYS; sipush|ldc_w classId; aaload; sipush
 * index; iconst_1; bastore}: always 12 bytes, a multiple of 4, so the padding of every
 * tableswitch and lookupswitch stays right, and branch offsets are relative, so the code
 * after it is copied as it is. What holds absolute code offsets is shifted by 12: the
 * exception table, the line number and local variable tables, and the stack map frames
 * (the first frame's offset, and the {@code new} instruction of every uninitialized type),
 * and the type annotations on instructions and local variables.
 * The constant pool gets the probe's field reference appended; nothing else moves.
 *
 * <p>Anything else that may name code offsets (attributes of other tools) and every limit
 * the probe would cross make it answer null, and the caller uses ASM for that class instead.
 */
final class ClassFileProbes {
    static final int PROBE_LENGTH = 12;
    private static final int ACC_ABSTRACT = 0x0400;
    private static final int ACC_NATIVE = 0x0100;
    private static final int ACC_MODULE = 0x8000;
    private static final byte[] CODE = ascii("Code");
    private static final byte[] LINE_NUMBERS = ascii("LineNumberTable");
    private static final byte[] LOCALS = ascii("LocalVariableTable");
    private static final byte[] LOCAL_TYPES = ascii("LocalVariableTypeTable");
    private static final byte[] FRAMES = ascii("StackMapTable");
    private static final byte[] VISIBLE_TYPE_ANNOTATIONS = ascii("RuntimeVisibleTypeAnnotations");
    private static final byte[] INVISIBLE_TYPE_ANNOTATIONS = ascii("RuntimeInvisibleTypeAnnotations");
    private static final byte[] PROBES_CLASS = ascii("dev/apitrace/agent/rt/Probes");
    private static final byte[] PROBES_FIELD = ascii("ARRAYS");
    private static final byte[] PROBES_TYPE = ascii("[[Z");

    /** A class file read far enough to be given probes. */
    static final class Parsed {
        final byte[] in;
        final int access;
        final String superName;
        final String[] interfaces;
        /** Methods with code, in class file order. */
        String[] names;

        String[] sigs;
        /** Offsets into {@link #in}. */
        private final int cpCount;

        private final int cpEnd;
        private final int[] cpOffsets;

        private Parsed(
                byte[] in, int access, String superName, String[] interfaces, int cpCount, int cpEnd, int[] cpOffsets) {
            this.in = in;
            this.access = access;
            this.superName = superName;
            this.interfaces = interfaces;
            this.cpCount = cpCount;
            this.cpEnd = cpEnd;
            this.cpOffsets = cpOffsets;
        }

        boolean isModule() {
            return (access & ACC_MODULE) != 0;
        }
    }

    private ClassFileProbes() {}

    /** The header, supertypes and methods with code; null when the bytes are not a class file this pass can read. */
    static Parsed parse(byte[] b) {
        try {
            if (b.length < 10 || u4(b, 0) != 0xCAFEBABE) {
                return null;
            }
            int count = u2(b, 8);
            int[] offsets = new int[count];
            int p = 10;
            for (int i = 1; i < count; i++) {
                offsets[i] = p;
                switch (b[p]) {
                    case 1:
                        p += 3 + u2(b, p + 1);
                        break;
                    case 7:
                    case 8:
                    case 16:
                    case 19:
                    case 20:
                        p += 3;
                        break;
                    case 15:
                        p += 4;
                        break;
                    case 3:
                    case 4:
                    case 9:
                    case 10:
                    case 11:
                    case 12:
                    case 17:
                    case 18:
                        p += 5;
                        break;
                    case 5:
                    case 6:
                        p += 9;
                        i++;
                        break;
                    default:
                        return null;
                }
            }
            int cpEnd = p;
            int access = u2(b, p);
            int superIndex = u2(b, p + 4);
            int interfaceCount = u2(b, p + 6);
            p += 8;
            String[] interfaces = new String[interfaceCount];
            for (int i = 0; i < interfaceCount; i++, p += 2) {
                interfaces[i] = className(b, offsets, u2(b, p));
            }
            Parsed parsed = new Parsed(
                    b,
                    access,
                    superIndex == 0 ? null : className(b, offsets, superIndex),
                    interfaces,
                    count,
                    cpEnd,
                    offsets);
            p = skipMembers(b, p); // fields
            int methods = u2(b, p);
            p += 2;
            String[] names = new String[methods];
            String[] sigs = new String[methods];
            int withCode = 0;
            for (int m = 0; m < methods; m++) {
                int flags = u2(b, p);
                if ((flags & (ACC_ABSTRACT | ACC_NATIVE)) == 0) {
                    names[withCode] = utf8(b, offsets, u2(b, p + 2));
                    sigs[withCode] = utf8(b, offsets, u2(b, p + 4));
                    withCode++;
                }
                p = skipAttributes(b, p + 6);
            }
            parsed.names = withCode == methods ? names : Arrays.copyOf(names, withCode);
            parsed.sigs = withCode == methods ? sigs : Arrays.copyOf(sigs, withCode);
            return parsed;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /**
     * The class with a probe at the start of every method with code, for class {@code classId}
     * and method indexes in class file order; null when it cannot be done here.
     */
    static byte[] insert(Parsed c, int classId) {
        try {
            return rewrite(c, classId);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static byte[] rewrite(Parsed c, int classId) {
        byte[] b = c.in;
        boolean bigId = classId > Short.MAX_VALUE;
        int added = bigId ? 7 : 6;
        int newCount = c.cpCount + added;
        if (newCount > 0xFFFF || c.names.length > Short.MAX_VALUE + 1) {
            return null;
        }
        byte[] probesName = PROBES_CLASS;
        byte[] fieldName = PROBES_FIELD;
        byte[] fieldType = PROBES_TYPE;
        // Each method may grow by the probe and by 2 bytes of a first frame that needs the long form.
        Out out = new Out(b.length
                + 64
                + probesName.length
                + fieldName.length
                + fieldType.length
                + (PROBE_LENGTH + 2) * c.names.length);
        out.bytes(b, 0, 8);
        out.u2(newCount);
        out.bytes(b, 10, c.cpEnd - 10);
        int utfClass = c.cpCount;
        int classRef = utfClass + 1;
        int utfName = utfClass + 2;
        int utfType = utfClass + 3;
        int nameAndType = utfClass + 4;
        int fieldRef = utfClass + 5;
        int idConstant = utfClass + 6;
        out.u1(1).u2(probesName.length).bytes(probesName, 0, probesName.length);
        out.u1(7).u2(utfClass);
        out.u1(1).u2(fieldName.length).bytes(fieldName, 0, fieldName.length);
        out.u1(1).u2(fieldType.length).bytes(fieldType, 0, fieldType.length);
        out.u1(12).u2(utfName).u2(utfType);
        out.u1(9).u2(classRef).u2(nameAndType);
        if (bigId) {
            out.u1(3).u4(classId);
        }
        int p = c.cpEnd;
        int interfaceCount = u2(b, p + 6);
        int fieldsStart = p + 8 + 2 * interfaceCount;
        int methodsStart = skipMembers(b, fieldsStart);
        out.bytes(b, p, methodsStart - p);
        int methods = u2(b, methodsStart);
        out.u2(methods);
        p = methodsStart + 2;
        int index = 0;
        for (int m = 0; m < methods; m++) {
            int flags = u2(b, p);
            boolean probed = (flags & (ACC_ABSTRACT | ACC_NATIVE)) == 0;
            out.bytes(b, p, 6);
            int attributes = u2(b, p + 6);
            out.u2(attributes);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, p + 2);
                if (probed && is(b, c.cpOffsets, u2(b, p), CODE)) {
                    if (!code(b, p, length, c.cpOffsets, out, fieldRef, bigId ? idConstant : -1, classId, index)) {
                        return null;
                    }
                } else {
                    out.bytes(b, p, 6 + length);
                }
                p += 6 + length;
            }
            if (probed) {
                index++;
            }
        }
        out.bytes(b, p, b.length - p); // the class's attributes
        return out.toArray();
    }

    /** Copies one Code attribute (at {@code at}) with the probe in front of its code; false when it cannot. */
    private static boolean code(
            byte[] b, int at, int length, int[] cp, Out out, int fieldRef, int idConstant, int classId, int index) {
        int maxStack = u2(b, at + 6);
        int codeLength = u4(b, at + 10);
        if (codeLength + PROBE_LENGTH > 0xFFFF) {
            return false;
        }
        int lengthAt = out.position();
        out.bytes(b, at, 6); // name, length (patched below)
        int start = out.position();
        out.u2(Math.max(maxStack, 3)).bytes(b, at + 8, 2).u4(codeLength + PROBE_LENGTH);
        out.u1(0xB2).u2(fieldRef);
        if (idConstant > 0) {
            out.u1(0x13).u2(idConstant);
        } else {
            out.u1(0x11).u2(classId);
        }
        out.u1(0x32).u1(0x11).u2(index).u1(0x04).u1(0x54);
        int p = at + 14;
        out.bytes(b, p, codeLength);
        p += codeLength;
        int handlers = u2(b, p);
        out.u2(handlers);
        p += 2;
        for (int h = 0; h < handlers; h++, p += 8) {
            out.u2(u2(b, p) + PROBE_LENGTH)
                    .u2(u2(b, p + 2) + PROBE_LENGTH)
                    .u2(u2(b, p + 4) + PROBE_LENGTH)
                    .bytes(b, p + 6, 2);
        }
        int attributes = u2(b, p);
        out.u2(attributes);
        p += 2;
        for (int a = 0; a < attributes; a++) {
            int name = u2(b, p);
            int attrLength = u4(b, p + 2);
            int body = p + 6;
            if (is(b, cp, name, LINE_NUMBERS)) {
                out.bytes(b, p, 8);
                int n = u2(b, body);
                for (int i = 0; i < n; i++) {
                    int e = body + 2 + 4 * i;
                    out.u2(u2(b, e) + PROBE_LENGTH).bytes(b, e + 2, 2);
                }
            } else if (is(b, cp, name, LOCALS) || is(b, cp, name, LOCAL_TYPES)) {
                out.bytes(b, p, 8);
                int n = u2(b, body);
                for (int i = 0; i < n; i++) {
                    int e = body + 2 + 10 * i;
                    out.u2(u2(b, e) + PROBE_LENGTH).bytes(b, e + 2, 8);
                }
            } else if (is(b, cp, name, FRAMES)) {
                if (!frames(b, p, attrLength, out)) {
                    return false;
                }
            } else if (is(b, cp, name, VISIBLE_TYPE_ANNOTATIONS) || is(b, cp, name, INVISIBLE_TYPE_ANNOTATIONS)) {
                int copy = out.position();
                out.bytes(b, p, 6 + attrLength);
                if (typeAnnotations(b, body, out, copy - p) != body + attrLength) {
                    return false;
                }
            } else {
                return false; // something unknown that may hold code offsets
            }
            p = body + attrLength;
        }
        if (p != at + 6 + length) {
            return false;
        }
        out.patchU4(lengthAt + 2, out.position() - start);
        return true;
    }

    /** A StackMapTable with the first frame moved past the probe and every uninitialized type's offset shifted. */
    private static boolean frames(byte[] b, int at, int length, Out out) {
        int lengthAt = out.position();
        out.bytes(b, at, 6);
        int start = out.position();
        int n = u2(b, at + 6);
        out.u2(n);
        int p = at + 8;
        for (int f = 0; f < n; f++) {
            int type = b[p++] & 0xFF;
            int shift = f == 0 ? PROBE_LENGTH : 0;
            if (type < 64) {
                int delta = type + shift;
                if (delta < 64) {
                    out.u1(delta);
                } else {
                    out.u1(251).u2(delta);
                }
            } else if (type < 128) {
                int delta = type - 64 + shift;
                if (delta < 64) {
                    out.u1(64 + delta);
                } else {
                    out.u1(247).u2(delta);
                }
                p = verificationType(b, p, out);
            } else if (type < 247) {
                return false;
            } else {
                out.u1(type).u2(u2(b, p) + shift);
                p += 2;
                if (type == 247) {
                    p = verificationType(b, p, out);
                } else if (type >= 252 && type <= 254) {
                    for (int i = 0; i < type - 251; i++) {
                        p = verificationType(b, p, out);
                    }
                } else if (type == 255) {
                    for (int part = 0; part < 2; part++) {
                        int k = u2(b, p);
                        out.u2(k);
                        p += 2;
                        for (int i = 0; i < k; i++) {
                            p = verificationType(b, p, out);
                        }
                    }
                }
            }
        }
        if (p != at + 6 + length) {
            return false;
        }
        out.patchU4(lengthAt + 2, out.position() - start);
        return true;
    }

    /**
     * Shifts the code offsets of the type annotations inside a Code attribute (local
     * variables, instanceof, new, casts, method references: JSR 308), already copied to
     * {@code out} at {@code delta} from where they are in {@code b}; returns the end, or -1.
     */
    private static int typeAnnotations(byte[] b, int p, Out out, int delta) {
        int n = u2(b, p);
        p += 2;
        for (int i = 0; i < n; i++) {
            int target = b[p++] & 0xFF;
            if (target == 0x40 || target == 0x41) { // local variables: a table of start_pc, length, index
                int entries = u2(b, p);
                p += 2;
                for (int e = 0; e < entries; e++, p += 6) {
                    out.patchU2(p + delta, u2(b, p) + PROBE_LENGTH);
                }
            } else if (target == 0x42) { // catch: an index into the exception table
                p += 2;
            } else if (target >= 0x43
                    && target <= 0x4B) { // an instruction's offset, then a type argument index from 0x47
                out.patchU2(p + delta, u2(b, p) + PROBE_LENGTH);
                p += target >= 0x47 ? 3 : 2;
            } else {
                return -1;
            }
            p += 1 + 2 * (b[p] & 0xFF); // type_path
            p = skipAnnotation(b, p);
        }
        return p;
    }

    private static int skipAnnotation(byte[] b, int p) {
        int pairs = u2(b, p + 2);
        p += 4;
        for (int i = 0; i < pairs; i++) {
            p = skipElementValue(b, p + 2);
        }
        return p;
    }

    private static int skipElementValue(byte[] b, int p) {
        int tag = b[p++];
        switch (tag) {
            case 'e':
                return p + 4;
            case '@':
                return skipAnnotation(b, p);
            case '[': {
                int n = u2(b, p);
                p += 2;
                for (int i = 0; i < n; i++) {
                    p = skipElementValue(b, p);
                }
                return p;
            }
            default:
                return p + 2; // a constant or a class
        }
    }

    private static int verificationType(byte[] b, int p, Out out) {
        int tag = b[p] & 0xFF;
        out.u1(tag);
        if (tag == 7) {
            out.bytes(b, p + 1, 2);
            return p + 3;
        }
        if (tag == 8) {
            out.u2(u2(b, p + 1) + PROBE_LENGTH); // the offset of the `new` instruction
            return p + 3;
        }
        if (tag > 8) {
            throw new IllegalArgumentException("verification type " + tag);
        }
        return p + 1;
    }

    private static int skipMembers(byte[] b, int p) {
        int count = u2(b, p);
        p += 2;
        for (int i = 0; i < count; i++) {
            p = skipAttributes(b, p + 6);
        }
        return p;
    }

    private static int skipAttributes(byte[] b, int p) {
        int count = u2(b, p);
        p += 2;
        for (int i = 0; i < count; i++) {
            p += 6 + u4(b, p + 2);
        }
        return p;
    }

    private static String className(byte[] b, int[] cp, int classIndex) {
        int at = cp[classIndex];
        if (b[at] != 7) {
            throw new IllegalArgumentException("not a class constant");
        }
        return utf8(b, cp, u2(b, at + 1));
    }

    /** A CONSTANT_Utf8 as a String (modified UTF-8, as DataInput.readUTF reads it). */
    private static String utf8(byte[] b, int[] cp, int index) {
        int at = cp[index];
        if (b[at] != 1) {
            throw new IllegalArgumentException("not a Utf8 constant");
        }
        int length = u2(b, at + 1);
        int p = at + 3;
        char[] chars = new char[length];
        int n = 0;
        int end = p + length;
        while (p < end) {
            int c = b[p++] & 0xFF;
            if (c < 0x80) {
                chars[n++] = (char) c;
            } else if ((c & 0xE0) == 0xC0) {
                chars[n++] = (char) (((c & 0x1F) << 6) | (b[p++] & 0x3F));
            } else {
                chars[n++] = (char) (((c & 0x0F) << 12) | ((b[p] & 0x3F) << 6) | (b[p + 1] & 0x3F));
                p += 2;
            }
        }
        return new String(chars, 0, n);
    }

    /** Whether constant {@code index} is the Utf8 {@code ascii}, compared byte for byte. */
    private static boolean is(byte[] b, int[] cp, int index, byte[] ascii) {
        int at = cp[index];
        if (b[at] != 1 || u2(b, at + 1) != ascii.length) {
            return false;
        }
        for (int i = 0; i < ascii.length; i++) {
            if (b[at + 3 + i] != ascii[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) s.charAt(i);
        }
        return out;
    }

    private static int u2(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    private static int u4(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    /** A byte array written front to back; sized by the caller for the worst case, grown if ever short. */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        int position() {
            return n;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        Out u1(int v) {
            room(1);
            buf[n++] = (byte) v;
            return this;
        }

        Out u2(int v) {
            room(2);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
            return this;
        }

        Out u4(int v) {
            room(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
            return this;
        }

        Out bytes(byte[] src, int from, int length) {
            room(length);
            System.arraycopy(src, from, buf, n, length);
            n += length;
            return this;
        }

        void patchU2(int at, int v) {
            buf[at] = (byte) (v >>> 8);
            buf[at + 1] = (byte) v;
        }

        void patchU4(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        byte[] toArray() {
            return n == buf.length ? buf : Arrays.copyOf(buf, n);
        }
    }
}
