package dev.apitrace.agent;

import dev.apitrace.agent.rt.SpanSink;
import java.io.File;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Receives every finished span from the hooks (through the bootstrap Dispatch), turns
 * it into a {@code call} record with its Java stack, summarised arguments and flags
 * (docs/events.md, "Argument names and flags"), and feeds HTTP exchanges to the
 * web API table. Runs on the application's thread, marked as agent work, so nothing it
 * does is recorded in turn.
 */
final class ApiRecorder implements SpanSink {
    private static final String[] SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "ash", "fish", "csh", "tcsh", "cmd", "cmd.exe", "powershell", "pwsh"};
    private static final String[] SECRET_WORDS = {"token", "key", "password", "passwd", "secret", "salt", "nonce"};

    private final EventWriter writer;
    private final JavaStacks stacks;
    private final WebApiTable web;
    private final ApiHooks.Hook[] hooks = ApiHooks.ALL.toArray(new ApiHooks.Hook[0]);
    /** URL connections already recorded: getInputStream may be called again for the same response. */
    private final Map<Object, Boolean> recordedConnections = Collections.synchronizedMap(new WeakHashMap<>());

    ApiRecorder(EventWriter writer, JavaStacks stacks, WebApiTable web) {
        this.writer = writer;
        this.stacks = stacks;
        this.web = web;
    }

    @Override
    public void call(int hookIndex, long t0, long t1, Object self, Object[] args, Object returned, Throwable thrown) {
        ApiHooks.Hook hook = hooks[hookIndex];
        if (hook.summary == ApiHooks.Summary.RANDOM && (self instanceof SecureRandom || !stacks.anyApplicationFrameNamesSecret())) {
            return; // predictable randomness only matters where secrets are made; decided without building the stack
        }
        long tid = ProcessFacts.currentThreadTid();
        if (tid <= 0) {
            return;
        }
        SpanRecord span = new SpanRecord(hook.api, hook.category, tid, t0, t1);
        JavaStacks.Captured stack = stacks.capture();
        if (stack.caller == null && "file".equals(hook.category)) {
            return; // the JDK reading for itself (class files, its own configuration), not the application
        }
        if (!stack.calledByApplication && "crypto".equals(hook.category)) {
            return; // the JDK probing which algorithms exist (TLS set-up): not the application's choice
        }
        span.caller = stack.caller;
        WebApiTable.Entry called = null;
        switch (hook.summary) {
            case PATH: span.args.put("path", pathOf(arg(args, 0))); break;
            case EXEC: exec(span, arg(args, 0)); break;
            case PROCESS_BUILDER: exec(span, ((ProcessBuilder) self).command().toArray(new String[0])); break;
            case PEER: span.args.put("peer", address(arg(args, 0))); break;
            case BIND: span.args.put("local", localOf(self, arg(args, 0))); break;
            case ACCEPT:
                if (returned == null) {
                    return; // a non-blocking accept with nobody waiting
                }
                span.args.put("local", localOf(self, null));
                span.args.put("peer", remoteOf(returned));
                break;
            case URL_CONNECTION:
                if (recordedConnections.put(self, Boolean.TRUE) != null) {
                    return;
                }
                called = urlConnection(span, (HttpURLConnection) self, thrown);
                break;
            case HTTP_CLIENT: called = httpClient(span, arg(args, 0), returned); break;
            case CIPHER: algorithm(span, arg(args, 0), isWeakCipher(String.valueOf(arg(args, 0)))); break;
            case DIGEST: algorithm(span, arg(args, 0), isWeakDigest(String.valueOf(arg(args, 0)))); break;
            case RANDOM:
                if (!inSecretContext(stack.frames)) {
                    return; // predictable randomness only matters where secrets are made
                }
                span.args.put("class", self.getClass().getName());
                span.flag("weak_random");
                span.flag("secret_context");
                break;
            case DESERIALIZE:
                if (returned != null) {
                    span.args.put("class", returned.getClass().getName());
                }
                span.flag("deserialize");
                break;
            case JNDI:
                span.args.put("class", ArgvRedactor.redactText(String.valueOf(arg(args, 0))));
                span.flag("jndi");
                break;
            case LIBRARY: span.args.put("library", String.valueOf(arg(args, 0))); break;
            case TLS_CONTEXT:
                if (!stack.calledByApplication) {
                    return; // the JDK's own default context
                }
                if (TrustAll.anyTrustsEverything(arg(args, 1))) {
                    span.flag("verify_none");
                }
                break;
            case SQL: {
                Object sql = arg(args, 0);
                if (sql instanceof String) {
                    SqlText text = SqlText.of((String) sql, SqlDialect.ofDriver(self));
                    span.args.put("sql", text.masked);
                    if (text.concatenated) {
                        span.flag("concatenated_sql");
                    }
                }
                break;
            }
            default: break;
        }
        if (thrown != null) {
            span.error = thrown.getClass().getName();
        }
        synchronized (this) {
            // The stack record goes before the call that names it, in the file's order.
            span.stack = stacks.idFor(stack, writer);
            writer.call(span);
        }
        if (called != null) {
            web.add(called, t0, t1, stack.caller);
        }
    }

    @Override
    public void served(int hookIndex, long t0, long t1, Object self, Object[] args, Throwable thrown) {
        ApiHooks.Hook hook = hooks[hookIndex];
        WebApiTable.Entry e = hook.summary == ApiHooks.Summary.SERVLET ? servlet(args) : httpServer(arg(args, 0));
        if (e != null) {
            web.add(e, t0, t1, null);
        }
    }

    private static Object arg(Object[] args, int i) {
        return args != null && i < args.length ? args[i] : null;
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

    private static void exec(SpanRecord span, Object command) {
        if (command instanceof String) {
            String line = (String) command;
            span.args.put("command", ArgvRedactor.redactText(line));
            String[] words = line.trim().split("\\s+");
            if (words.length > 0 && !words[0].isEmpty()) {
                span.args.put("program", words[0]);
                shellFlag(span, words);
            }
        } else if (command instanceof String[]) {
            String[] argv = (String[]) command;
            if (argv.length > 0) {
                span.args.put("program", argv[0]);
                List<String> redacted = ArgvRedactor.redact(java.util.Arrays.asList(argv));
                span.args.put("command", String.join(" ", redacted));
                shellFlag(span, argv);
            }
        }
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
            if (a.equals("-c") || a.equalsIgnoreCase("/c") || a.equalsIgnoreCase("-command") || (a.startsWith("-") && !a.startsWith("--") && a.indexOf('c') > 0)) {
                return true;
            }
        }
        return false;
    }

    private static void shellFlag(SpanRecord span, String[] argv) {
        if (isShell(argv)) {
            span.flag("shell");
        }
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

    private static String localOf(Object self, Object requested) {
        try {
            SocketAddress bound = null;
            if (self instanceof ServerSocket) {
                bound = ((ServerSocket) self).getLocalSocketAddress();
            } else if (self instanceof ServerSocketChannel) {
                bound = ((ServerSocketChannel) self).getLocalAddress();
            }
            if (bound != null) {
                return address(bound);
            }
        } catch (Exception e) {
            // Not bound after all: report what was asked for.
        }
        return address(requested);
    }

    private static String remoteOf(Object accepted) {
        try {
            if (accepted instanceof Socket) {
                return address(((Socket) accepted).getRemoteSocketAddress());
            }
            if (accepted instanceof SocketChannel) {
                return address(((SocketChannel) accepted).getRemoteAddress());
            }
        } catch (Exception e) {
            // Closed already.
        }
        return null;
    }

    private WebApiTable.Entry urlConnection(SpanRecord span, HttpURLConnection c, Throwable thrown) {
        URL url = c.getURL();
        String method = c.getRequestMethod();
        span.args.put("method", method);
        span.args.put("url", urlWithoutQuery(url.getProtocol(), url.getHost(), url.getPort(), url.getPath()));
        int status = -1;
        // Asking for the status again is safe when the response is in hand (it is cached),
        // or when the server's error answer was (FileNotFoundException): no new request is made.
        if (thrown == null || thrown instanceof java.io.FileNotFoundException) {
            try {
                status = c.getResponseCode();
            } catch (Exception e) {
                status = -1;
            }
        }
        if (status >= 0) {
            span.returned = status;
        }
        int port = url.getPort() >= 0 ? url.getPort() : url.getDefaultPort();
        return new WebApiTable.Entry("called", method, url.getProtocol(), url.getHost() + ":" + port,
            WebApiTable.routeTemplate(url.getPath()), status, "java.net.HttpURLConnection");
    }

    private static WebApiTable.Entry httpClient(SpanRecord span, Object request, Object response) {
        if (!(request instanceof java.net.http.HttpRequest)) {
            return null;
        }
        java.net.http.HttpRequest r = (java.net.http.HttpRequest) request;
        URI uri = r.uri();
        span.args.put("method", r.method());
        span.args.put("url", urlWithoutQuery(uri.getScheme(), uri.getHost(), uri.getPort(), uri.getRawPath()));
        int status = -1;
        if (response instanceof java.net.http.HttpResponse) {
            status = ((java.net.http.HttpResponse<?>) response).statusCode();
            span.returned = status;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        return new WebApiTable.Entry("called", r.method(), uri.getScheme(), uri.getHost() + ":" + port,
            WebApiTable.routeTemplate(uri.getRawPath()), status, "java.net.http.HttpClient");
    }

    /** scheme://host[:port]/path: no credentials, no query, no fragment, tokens in the path masked. */
    static String urlWithoutQuery(String scheme, String host, int port, String path) {
        return ArgvRedactor.redactText(scheme + "://" + host + (port >= 0 ? ":" + port : "") + (path == null || path.isEmpty() ? "/" : path));
    }

    private static WebApiTable.Entry httpServer(Object exchange) {
        if (!(exchange instanceof com.sun.net.httpserver.HttpExchange)) {
            return null;
        }
        com.sun.net.httpserver.HttpExchange x = (com.sun.net.httpserver.HttpExchange) exchange;
        String scheme = exchange instanceof com.sun.net.httpserver.HttpsExchange ? "https" : "http";
        // The listener's address: the exchange's own socket may be closed by now.
        java.net.InetSocketAddress listener = x.getHttpContext().getServer().getAddress();
        return new WebApiTable.Entry("served", x.getRequestMethod(), scheme, address(listener != null ? listener : x.getLocalAddress()),
            WebApiTable.routeTemplate(x.getRequestURI().getRawPath()), x.getResponseCode(), "com.sun.net.httpserver");
    }

    /** The Servlet API by reflection: it is the application's, not on the agent's class path. */
    private static WebApiTable.Entry servlet(Object[] args) {
        Object request = arg(args, 0);
        Object response = arg(args, 1);
        if (request == null || response == null) {
            return null;
        }
        String method = String.valueOf(invoke(request, "getMethod"));
        String uri = String.valueOf(invoke(request, "getRequestURI"));
        Object status = invoke(response, "getStatus");
        Object host = invoke(request, "getLocalName");
        Object port = invoke(request, "getLocalPort");
        Object scheme = invoke(request, "getScheme");
        String framework = request.getClass().getName().startsWith("jakarta.") ? "jakarta.servlet" : "servlet";
        for (Class<?> c = request.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().startsWith("jakarta.servlet")) {
                    framework = "jakarta.servlet";
                } else if (i.getName().startsWith("javax.servlet")) {
                    framework = "javax.servlet";
                }
            }
        }
        return new WebApiTable.Entry("served", method.toUpperCase(Locale.ROOT), scheme == null ? null : String.valueOf(scheme),
            host + ":" + port, WebApiTable.routeTemplate(uri), status instanceof Integer ? (Integer) status : -1, framework);
    }

    /** Calls a public no-argument method through a public interface or class that declares it. */
    private static Object invoke(Object target, String name) {
        try {
            for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
                List<Class<?>> candidates = new ArrayList<>();
                candidates.add(c);
                Collections.addAll(candidates, c.getInterfaces());
                for (Class<?> k : candidates) {
                    if (!java.lang.reflect.Modifier.isPublic(k.getModifiers())) {
                        continue;
                    }
                    try {
                        Method m = k.getMethod(name);
                        return m.invoke(target);
                    } catch (NoSuchMethodException e) {
                        // Declared elsewhere up the hierarchy.
                    }
                }
            }
        } catch (Exception e) {
            // Unknown.
        }
        return null;
    }

    private static void algorithm(SpanRecord span, Object algorithm, boolean weak) {
        span.args.put("algorithm", String.valueOf(algorithm));
        if (weak) {
            span.flag("weak_algorithm");
        }
    }

    /** ECB (also implied by a bare block cipher name), DES and triple DES, RC4. */
    static boolean isWeakCipher(String transformation) {
        String t = transformation.toUpperCase(Locale.ROOT);
        String cipher = t.contains("/") ? t.substring(0, t.indexOf('/')) : t;
        if (cipher.startsWith("DES") || cipher.equals("RC4") || cipher.equals("ARCFOUR") || cipher.equals("RC2") || cipher.equals("BLOWFISH")) {
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
        return a.equals("MD5") || a.equals("MD2") || a.equals("MD4") || a.equals("SHA-1") || a.equals("SHA1") || a.equals("SHA");
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
