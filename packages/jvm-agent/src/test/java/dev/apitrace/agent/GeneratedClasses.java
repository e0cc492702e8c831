package dev.apitrace.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/** Class files the tests need and javac will not write: a method at the 64 KB limit, many small classes. */
final class GeneratedClasses {
    private GeneratedClasses() {}

    /**
     * {@code gen.Huge} with {@code static int run()} counting to {@code n} in straight-line code:
     * 3n + 4 bytes of code, so n = 21843 gives 65,533 bytes, valid as it is but not with a probe added.
     */
    static byte[] huge(int n) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, "gen/Huge", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "()I", null, null);
        mv.visitCode();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 0);
        for (int i = 0; i < n; i++) {
            mv.visitIincInsn(0, 1);
        }
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code gen.C0..C(count-1)}: {@code value()} returns {@code leaf()} of the next class plus its own number. */
    static void chain(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            String name = "gen/C" + i;
            String next = "gen/C" + ((i + 1) % count);
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name, null, "java/lang/Object", null);
            MethodVisitor leaf = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "leaf", "()I", null, null);
            leaf.visitCode();
            leaf.visitLdcInsn(i);
            leaf.visitInsn(Opcodes.IRETURN);
            leaf.visitMaxs(0, 0);
            leaf.visitEnd();
            MethodVisitor value = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "value", "()I", null, null);
            value.visitCode();
            value.visitMethodInsn(Opcodes.INVOKESTATIC, next, "leaf", "()I", false);
            value.visitLdcInsn(i);
            value.visitInsn(Opcodes.IADD);
            value.visitInsn(Opcodes.IRETURN);
            value.visitMaxs(0, 0);
            value.visitEnd();
            cw.visitEnd();
            Files.write(dir.resolve("C" + i + ".class"), cw.toByteArray());
        }
    }
}
