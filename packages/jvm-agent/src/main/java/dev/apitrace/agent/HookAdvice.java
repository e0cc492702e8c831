package dev.apitrace.agent;

import dev.apitrace.agent.rt.Dispatch;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The advice templates, one per shape of hook. Byte Buddy copies their bodies into the
 * hooked methods, so they may only use what the hooked class can see: the bootstrap
 * {@link Dispatch}. {@code suppress} is the last net; Dispatch itself never throws.
 */
final class HookAdvice {
    private HookAdvice() {
    }

    /** A sensitive method: a span from entry to return or throw. */
    static final class MethodSpan {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return Dispatch.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@HookIndex int hook,
                         @Advice.Enter long t0,
                         @Advice.This(optional = true, typing = Assigner.Typing.DYNAMIC) Object self,
                         @Advice.AllArguments Object[] args,
                         @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                         @Advice.Thrown Throwable thrown) {
            // Byte Buddy builds args (and boxes returned) where they are read: only for recorded calls.
            if (t0 != Dispatch.SKIP) {
                Dispatch.exit(hook, t0, self, args, returned, thrown);
            }
        }
    }

    /**
     * java.util.Random: a span like {@link MethodSpan}, but only for sampled calls
     * ({@link Dispatch#enterSampled}); SecureRandom (a subclass) is never a weak random
     * and costs one type check.
     */
    static final class RandomSpan {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.This(optional = true, typing = Assigner.Typing.DYNAMIC) Object self) {
            return self instanceof java.security.SecureRandom ? Dispatch.SKIP : Dispatch.enterSampled();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@HookIndex int hook,
                         @Advice.Enter long t0,
                         @Advice.This(optional = true, typing = Assigner.Typing.DYNAMIC) Object self,
                         @Advice.Thrown Throwable thrown) {
            // Neither arguments nor the drawn number are recorded: nothing to box.
            if (t0 != Dispatch.SKIP) {
                Dispatch.exit(hook, t0, self, null, null, thrown);
            }
        }
    }

    /** A served HTTP exchange: the outermost dispatch of a request on its thread. */
    static final class Served {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return Dispatch.enterServed();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@HookIndex int hook,
                         @Advice.Enter long t0,
                         @Advice.This(optional = true, typing = Assigner.Typing.DYNAMIC) Object self,
                         @Advice.AllArguments Object[] args,
                         @Advice.Thrown Throwable thrown) {
            Dispatch.exitServed(hook, t0, self, args, thrown);
        }
    }

    /** java.lang.Shutdown.exit(int): the status the JVM is about to exit with. */
    static final class ExitStatus {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) int status) {
            Dispatch.exiting(status);
        }
    }

    /** Thread.dispatchUncaughtException: main ending with an exception makes the launcher exit 1. */
    static final class Uncaught {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Thread thread) {
            Dispatch.uncaught(thread);
        }
    }
}
