package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Writes the calls of the hooks into the hooked methods, with ASM (Byte Buddy's copy) and
 * nothing else loaded: what the table's hook shapes need is a call at entry and a call
 * on every way out, which a few instructions do.
 *
 * <p>A span ({@link ApiHooks.Shape#METHOD}, {@code SERVED}, {@code RANDOM_SAMPLED}):
 * <pre>
 *   copy the arguments (this included) to new locals; t0 = Dispatch.enter...()
 *   the method's code, each return preceded by Dispatch.exit(hook, t0, this, args, returned, null)
 *   catch (Throwable thrown) { Dispatch.exit(hook, t0, this, args, null, thrown); throw thrown; }
 * </pre>
 * The copies give the arguments as they were passed, whatever the method did to its
 * parameters. The new locals go right after the parameters and the method's own locals
 * move up by as many slots; the stack map frames, the only thing that lists locals, get
 * the new ones inserted, so the frames stay exact without computing any (computing them
 * would load classes through class loaders while classes load). Dispatch never throws,
 * and boxing and the argument array are all that run outside it.
 *
 * <p>{@code EXIT_STATUS} and {@code UNCAUGHT} are a single call at entry.
 */
final class HookWeaver {
    private static final String DISPATCH = "dev/apitrace/agent/rt/Dispatch";
    private static final int ASM_API = Opcodes.ASM9;

    private HookWeaver() {}

    /** The class with the hooks whose methods match woven in; null when no method matched. */
    static byte[] weave(byte[] bytes, List<ApiHooks.Hook> hooks) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        Weaving weaving = new Weaving(writer, hooks);
        reader.accept(weaving, ClassReader.EXPAND_FRAMES);
        return weaving.woven ? writer.toByteArray() : null;
    }

    /** The number of parameters in a method descriptor. */
    static int parameterCount(String descriptor) {
        int count = 0;
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            i = skipType(descriptor, i);
            count++;
        }
        return count;
    }

    private static int skipType(String d, int i) {
        while (d.charAt(i) == '[') {
            i++;
        }
        if (d.charAt(i) == 'L') {
            i = d.indexOf(';', i);
        }
        return i + 1;
    }

    private static final class Weaving extends ClassVisitor {
        private final List<ApiHooks.Hook> hooks;
        private String owner;
        boolean woven;

        Weaving(ClassVisitor next, List<ApiHooks.Hook> hooks) {
            super(ASM_API, next);
            this.hooks = hooks;
        }

        @Override
        public void visit(
                int version, int access, String name, String signature, String superName, String[] interfaces) {
            owner = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(
                int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if (mv == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || name.charAt(0) == '<') {
                return mv;
            }
            for (ApiHooks.Hook h : hooks) {
                if (h.methods.matches(name, descriptor)) {
                    mv = h.shape == ApiHooks.Shape.EXIT_STATUS || h.shape == ApiHooks.Shape.UNCAUGHT
                            ? new EntryCall(mv, h)
                            : new Span(mv, h, owner, access, descriptor);
                    woven = true;
                }
            }
            return mv;
        }
    }

    /** The parameters of a method as slots: `this` first unless static. */
    private static final class Parameters {
        /** Verification types as ASM frames list them (one entry for a long or a double). */
        final List<Object> types = new ArrayList<>();
        /** Load opcode of each entry. */
        final List<Integer> loads = new ArrayList<>();

        final List<Character> sorts = new ArrayList<>();
        final boolean isStatic;
        int slots;

        Parameters(String owner, int access, String descriptor) {
            isStatic = (access & Opcodes.ACC_STATIC) != 0;
            if (!isStatic) {
                add(owner, Opcodes.ALOAD, 'L', 1);
            }
            int i = 1;
            while (descriptor.charAt(i) != ')') {
                int end = skipType(descriptor, i);
                char c = descriptor.charAt(i);
                switch (c) {
                    case 'J':
                        add(Opcodes.LONG, Opcodes.LLOAD, c, 2);
                        break;
                    case 'D':
                        add(Opcodes.DOUBLE, Opcodes.DLOAD, c, 2);
                        break;
                    case 'F':
                        add(Opcodes.FLOAT, Opcodes.FLOAD, c, 1);
                        break;
                    case 'L':
                        add(descriptor.substring(i + 1, end - 1), Opcodes.ALOAD, c, 1);
                        break;
                    case '[':
                        add(descriptor.substring(i, end), Opcodes.ALOAD, c, 1);
                        break;
                    default:
                        add(Opcodes.INTEGER, Opcodes.ILOAD, c, 1);
                        break;
                }
                i = end;
            }
        }

        private void add(Object type, int load, char sort, int size) {
            types.add(type);
            loads.add(load);
            sorts.add(sort);
            slots += size;
        }
    }

    /** A call with the first parameter, or `this`, at entry: nothing else changes. */
    private static final class EntryCall extends MethodVisitor {
        private final ApiHooks.Hook hook;

        EntryCall(MethodVisitor next, ApiHooks.Hook hook) {
            super(ASM_API, next);
            this.hook = hook;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (hook.shape == ApiHooks.Shape.EXIT_STATUS) {
                super.visitVarInsn(Opcodes.ILOAD, 0); // static Shutdown.exit(int)
                super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "exiting", "(I)V", false);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, 0); // Thread.dispatchUncaughtException: this
                super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "uncaught", "(Ljava/lang/Thread;)V", false);
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, 1), maxLocals);
        }
    }

    /** Entry, every return, and a handler for every throw: see the class comment. */
    private static final class Span extends MethodVisitor {
        private final ApiHooks.Hook hook;
        private final Parameters params;
        /** New locals: t0 (a long), the boxed return value or the thrown, then the copies. */
        private final int t0;

        private final int result;
        private final int copies;
        private final int added;
        /** The descriptor's return type, for boxing what IRETURN returns as the type it is. */
        private final char returns;

        private final Label start = new Label();
        private final Label end = new Label();
        private final Label handler = new Label();
        private boolean begun;

        Span(MethodVisitor next, ApiHooks.Hook hook, String owner, int access, String descriptor) {
            super(ASM_API, next);
            this.hook = hook;
            this.params = new Parameters(owner, access, descriptor);
            t0 = params.slots;
            result = t0 + 2;
            copies = result + 1;
            added = 3 + params.slots;
            returns = descriptor.charAt(descriptor.indexOf(')') + 1);
        }

        private int remap(int var) {
            return var < params.slots ? var : var + added;
        }

        /** The original code's first instruction, label or frame: the handler is registered after the method's own, then the entry code. */
        private void begin() {
            if (begun) {
                return;
            }
            begun = true;
            super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
            int slot = 0;
            for (int i = 0; i < params.types.size(); i++) {
                int load = params.loads.get(i);
                super.visitVarInsn(load, slot);
                super.visitVarInsn(load + (Opcodes.ISTORE - Opcodes.ILOAD), copies + slot);
                slot += load == Opcodes.LLOAD || load == Opcodes.DLOAD ? 2 : 1;
            }
            switch (hook.shape) {
                case SERVED:
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "enterServed", "()J", false);
                    break;
                case RANDOM_SAMPLED:
                    loadSelf();
                    super.visitMethodInsn(
                            Opcodes.INVOKESTATIC, DISPATCH, "enterRandom", "(Ljava/lang/Object;)J", false);
                    break;
                default:
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "enter", "()J", false);
                    break;
            }
            super.visitVarInsn(Opcodes.LSTORE, t0);
            super.visitLabel(start);
        }

        private void loadSelf() {
            if (params.isStatic) {
                super.visitInsn(Opcodes.ACONST_NULL);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, copies);
            }
        }

        private void loadArguments() {
            if (hook.shape == ApiHooks.Shape.RANDOM_SAMPLED) {
                super.visitInsn(Opcodes.ACONST_NULL); // neither arguments nor the drawn number are recorded
                return;
            }
            int first = params.isStatic ? 0 : 1;
            int count = params.types.size() - first;
            push(count);
            super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
            int slot = params.isStatic ? 0 : 1;
            for (int i = first; i < params.types.size(); i++) {
                super.visitInsn(Opcodes.DUP);
                push(i - first);
                int load = params.loads.get(i);
                super.visitVarInsn(load, copies + slot);
                box(params.sorts.get(i));
                super.visitInsn(Opcodes.AASTORE);
                slot += load == Opcodes.LLOAD || load == Opcodes.DLOAD ? 2 : 1;
            }
        }

        /** The exit call; the boxed returned value or the thrown is in {@link #result} when the flags say so. */
        private void exitCall(boolean returned, boolean thrown) {
            push(hook.index);
            super.visitVarInsn(Opcodes.LLOAD, t0);
            loadSelf();
            loadArguments();
            if (hook.shape == ApiHooks.Shape.SERVED) {
                loadOrNull(thrown);
                super.visitMethodInsn(
                        Opcodes.INVOKESTATIC,
                        DISPATCH,
                        "exitServed",
                        "(IJLjava/lang/Object;[Ljava/lang/Object;Ljava/lang/Throwable;)V",
                        false);
                return;
            }
            loadOrNull(returned && hook.shape != ApiHooks.Shape.RANDOM_SAMPLED);
            loadOrNull(thrown);
            super.visitMethodInsn(
                    Opcodes.INVOKESTATIC,
                    DISPATCH,
                    "exit",
                    "(IJLjava/lang/Object;[Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Throwable;)V",
                    false);
        }

        private void loadOrNull(boolean stored) {
            if (stored) {
                super.visitVarInsn(Opcodes.ALOAD, result);
            } else {
                super.visitInsn(Opcodes.ACONST_NULL);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            begin();
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                boolean value = opcode != Opcodes.RETURN;
                if (value && hook.shape == ApiHooks.Shape.METHOD) {
                    char sort;
                    switch (opcode) {
                        case Opcodes.LRETURN:
                            sort = 'J';
                            super.visitInsn(Opcodes.DUP2);
                            break;
                        case Opcodes.DRETURN:
                            sort = 'D';
                            super.visitInsn(Opcodes.DUP2);
                            break;
                        case Opcodes.FRETURN:
                            sort = 'F';
                            super.visitInsn(Opcodes.DUP);
                            break;
                        case Opcodes.ARETURN:
                            sort = 'L';
                            super.visitInsn(Opcodes.DUP);
                            break;
                        default:
                            sort = returns;
                            super.visitInsn(Opcodes.DUP);
                            break; // int, or boolean, byte, char, short
                    }
                    box(sort);
                    super.visitVarInsn(Opcodes.ASTORE, result);
                }
                exitCall(value && hook.shape == ApiHooks.Shape.METHOD, false);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            begin();
            super.visitLabel(end);
            super.visitLabel(handler);
            List<Object> locals = new ArrayList<>();
            for (int i = 0; i < params.slots; i++) {
                locals.add(Opcodes.TOP);
            }
            locals.add(Opcodes.LONG);
            locals.add(Opcodes.TOP);
            locals.addAll(params.types);
            super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), 1, new Object[] {"java/lang/Throwable"});
            super.visitVarInsn(Opcodes.ASTORE, result);
            exitCall(false, true);
            super.visitVarInsn(Opcodes.ALOAD, result);
            super.visitInsn(Opcodes.ATHROW);
            // The exit call needs at most 10 slots above what a return leaves on the stack.
            super.visitMaxs(maxStack + 12, maxLocals + added);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            begin();
            if (type != Opcodes.F_NEW) {
                throw new IllegalStateException("frames are read expanded");
            }
            List<Object> locals = new ArrayList<>(numLocal + params.types.size() + 3);
            int slots = 0;
            int i = 0;
            while (i < numLocal && slots < params.slots) {
                Object t = local[i++];
                locals.add(t);
                slots += t == Opcodes.LONG || t == Opcodes.DOUBLE ? 2 : 1;
            }
            if (slots > params.slots) {
                throw new IllegalStateException("a two-slot local across the last parameter");
            }
            while (slots < params.slots) {
                locals.add(Opcodes.TOP);
                slots++;
            }
            locals.add(Opcodes.LONG);
            locals.add(Opcodes.TOP);
            locals.addAll(params.types);
            while (i < numLocal) {
                locals.add(local[i++]);
            }
            super.visitFrame(type, locals.size(), locals.toArray(), numStack, stack);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            begin();
            super.visitVarInsn(opcode, remap(var));
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            begin();
            super.visitIincInsn(remap(var), increment);
        }

        @Override
        public void visitLocalVariable(
                String name, String descriptor, String signature, Label from, Label to, int index) {
            super.visitLocalVariable(name, descriptor, signature, from, to, remap(index));
        }

        @Override
        public void visitLabel(Label label) {
            begin();
            super.visitLabel(label);
        }

        @Override
        public void visitLineNumber(int line, Label label) {
            begin();
            super.visitLineNumber(line, label);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            begin();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            begin();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            begin();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            begin();
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(
                String name, String descriptor, net.bytebuddy.jar.asm.Handle bootstrap, Object... arguments) {
            begin();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            begin();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            begin();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            begin();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            begin();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            begin();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        private void push(int value) {
            if (value >= -1 && value <= 5) {
                super.visitInsn(Opcodes.ICONST_0 + value);
            } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
                super.visitIntInsn(Opcodes.BIPUSH, value);
            } else {
                super.visitIntInsn(Opcodes.SIPUSH, value);
            }
        }

        /** Boxes the primitive on top of the stack, as its wrapper's valueOf would. */
        private void box(char sort) {
            String owner;
            String desc;
            switch (sort) {
                case 'Z':
                    owner = "java/lang/Boolean";
                    desc = "(Z)Ljava/lang/Boolean;";
                    break;
                case 'B':
                    owner = "java/lang/Byte";
                    desc = "(B)Ljava/lang/Byte;";
                    break;
                case 'C':
                    owner = "java/lang/Character";
                    desc = "(C)Ljava/lang/Character;";
                    break;
                case 'S':
                    owner = "java/lang/Short";
                    desc = "(S)Ljava/lang/Short;";
                    break;
                case 'I':
                    owner = "java/lang/Integer";
                    desc = "(I)Ljava/lang/Integer;";
                    break;
                case 'J':
                    owner = "java/lang/Long";
                    desc = "(J)Ljava/lang/Long;";
                    break;
                case 'F':
                    owner = "java/lang/Float";
                    desc = "(F)Ljava/lang/Float;";
                    break;
                case 'D':
                    owner = "java/lang/Double";
                    desc = "(D)Ljava/lang/Double;";
                    break;
                default:
                    return; // a reference
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, "valueOf", desc, false);
        }
    }
}
