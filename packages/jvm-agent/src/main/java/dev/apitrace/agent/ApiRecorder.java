package dev.apitrace.agent;

import dev.apitrace.agent.rt.SpanSink;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Receives every finished span from the hooks (through the bootstrap Dispatch), has the
 * summariser of its API category ({@link CallSummarisers}) decide whether it is the
 * application's and fill in its arguments and flags, and writes it as a {@code call} record
 * with its Java stack; HTTP exchanges also go to the web API table. Also holds the rules
 * the summarisers apply (docs/events.md, "Argument names and flags"). Runs on the
 * application's thread, marked as agent work, so nothing it does is recorded in turn.
 */
final class ApiRecorder implements SpanSink {
    private static final String[] SHELLS = {
        "sh", "bash", "dash", "zsh", "ksh", "ash", "fish", "csh", "tcsh", "cmd", "cmd.exe", "powershell", "pwsh"
    };
    private static final String[] SECRET_WORDS = {"token", "key", "password", "passwd", "secret", "salt", "nonce"};

    private final EventWriter writer;
    private final JavaStacks stacks;
    private final WebApiTable web;
    private final ApiHooks.Hook[] hooks = ApiHooks.ALL.toArray(new ApiHooks.Hook[0]);
    /** Indexed by {@link ApiCategory#ordinal()}. */
    private final CallSummarisers.Summariser[] summarisers;

    ApiRecorder(EventWriter writer, JavaStacks stacks, WebApiTable web) {
        this.writer = writer;
        this.stacks = stacks;
        this.web = web;
        this.summarisers = CallSummarisers.byCategory();
    }

    @Override
    public void call(int hookIndex, long t0, long t1, Object self, Object[] args, Object returned, Throwable thrown) {
        ApiHooks.Hook hook = hooks[hookIndex];
        CallSummarisers.Summariser summariser = summarisers[hook.category.ordinal()];
        if (!summariser.wanted(self)
                || (summariser.onlyWhereSecretsAreMade && !stacks.anyApplicationFrameNamesSecret())) {
            return;
        }
        long tid = ProcessFacts.currentThreadTid();
        if (tid <= 0) {
            return;
        }
        SpanRecord span = new SpanRecord(hook.api, hook.category.json, tid, t0, t1);
        JavaStacks.Captured stack = stacks.capture();
        span.caller = stack.caller;
        CallSummarisers.Call call = new CallSummarisers.Call(hook, span, stack, self, args, returned, thrown);
        if (!summariser.summarise(call)) {
            return;
        }
        if (thrown != null) {
            span.error = thrown.getClass().getName();
        }
        synchronized (this) {
            // The stack record goes before the call that names it, in the file's order.
            span.stack = stacks.idFor(stack, writer);
            writer.call(span);
        }
        if (call.called != null) {
            web.add(call.called, t0, t1, stack.caller);
        }
    }

    @Override
    public void served(int hookIndex, long t0, long t1, Object self, Object[] args, Throwable thrown) {
        WebApiTable.Entry e = CallSummarisers.HttpCalls.served(hooks[hookIndex], args);
        if (e != null) {
            web.add(e, t0, t1, null);
        }
    }

    static String pathOf(Object o) {
        if (o instanceof File) {
            return ((File) o).getPath();
        }
        if (o instanceof Path) {
            return o.toString();
        }
        return String.valueOf(o);
    }

    /** A shell given a command string (-c, /c) runs a command line: the shell flag. */
    static boolean isShell(String[] argv) {
        if (argv.length < 2) {
            return false;
        }
        String program = argv[0];
        String base = program.substring(program.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        boolean shell = false;
        for (String s : SHELLS) {
            shell |= s.equals(base);
        }
        if (!shell) {
            return false;
        }
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-c")
                    || a.equalsIgnoreCase("/c")
                    || a.equalsIgnoreCase("-command")
                    || (a.startsWith("-") && !a.startsWith("--") && a.indexOf('c') > 0)) {
                return true;
            }
        }
        return false;
    }

    static String address(Object o) {
        if (o instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) o;
            String host = a.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return host + ":" + a.getPort();
        }
        return String.valueOf(o);
    }

    /** scheme://host[:port]/path: no credentials, no query, no fragment, tokens in the path masked. */
    static String urlWithoutQuery(String scheme, String host, int port, String path) {
        return ArgvRedactor.redactText(
                scheme + "://" + host + (port >= 0 ? ":" + port : "") + (path == null || path.isEmpty() ? "/" : path));
    }

    /** ECB (also implied by a bare block cipher name), DES and triple DES, RC4. */
    static boolean isWeakCipher(String transformation) {
        String t = transformation.toUpperCase(Locale.ROOT);
        String cipher = t.contains("/") ? t.substring(0, t.indexOf('/')) : t;
        if (cipher.startsWith("DES")
                || cipher.equals("RC4")
                || cipher.equals("ARCFOUR")
                || cipher.equals("RC2")
                || cipher.equals("BLOWFISH")) {
            return true;
        }
        if (t.contains("/ECB/") || t.endsWith("/ECB")) {
            return true;
        }
        // "AES" alone means AES/ECB/PKCS5Padding.
        return !t.contains("/") && (cipher.equals("AES") || cipher.startsWith("AES_"));
    }

    static boolean isWeakDigest(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        return a.equals("MD5")
                || a.equals("MD2")
                || a.equals("MD4")
                || a.equals("SHA-1")
                || a.equals("SHA1")
                || a.equals("SHA");
    }

    /** A frame of application code whose class or method says it makes a secret. */
    static boolean inSecretContext(List<JavaFrame> frames) {
        for (JavaFrame f : frames) {
            if (f.unit == null) {
                continue;
            }
            int dot = f.fn.lastIndexOf('.', f.fn.lastIndexOf('.') - 1);
            if (namesSecret(f.fn, dot + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} from {@code from} on contains a secret word, ignoring case; allocates nothing. */
    static boolean namesSecret(String name, int from) {
        for (String w : SECRET_WORDS) {
            for (int i = from; i + w.length() <= name.length(); i++) {
                if (name.regionMatches(true, i, w, 0, w.length())) {
                    return true;
                }
            }
        }
        return false;
    }
}
