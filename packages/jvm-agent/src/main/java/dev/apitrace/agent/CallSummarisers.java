package dev.apitrace.agent;

import java.io.FileNotFoundException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * How the calls of each API category become a {@code call} record's arguments and flags
 * (docs/events.md, "Argument names and flags"): one summariser per {@link ApiCategory},
 * which also decides which calls of its category are the application's to record. The
 * rules they apply (what is a shell, a weak algorithm, a secret context) are
 * {@link ApiRecorder}'s.
 */
final class CallSummarisers {
    private CallSummarisers() {}

    /** One hooked call being recorded: what the hook saw, and what the summariser makes of it. */
    static final class Call {
        final ApiHooks.Hook hook;
        final SpanRecord span;
        final JavaStacks.Captured stack;
        final Object self;
        final Object[] args;
        final Object returned;
        final Throwable thrown;
        /** The HTTP exchange this call made, for the web API table; null when none. */
        WebApiTable.Entry called;

        Call(
                ApiHooks.Hook hook,
                SpanRecord span,
                JavaStacks.Captured stack,
                Object self,
                Object[] args,
                Object returned,
                Throwable thrown) {
            this.hook = hook;
            this.span = span;
            this.stack = stack;
            this.self = self;
            this.args = args;
            this.returned = returned;
            this.thrown = thrown;
        }

        Object arg(int i) {
            return args != null && i < args.length ? args[i] : null;
        }
    }

    /** The calls of one category. */
    abstract static class Summariser {
        /**
         * Calls recorded only when an application frame's class or method names a secret: the
         * recorder asks {@link JavaStacks#anyApplicationFrameNamesSecret} itself, one frame
         * nearer the hook than a summariser would, which keeps the walk of a shallow stack short.
         */
        final boolean onlyWhereSecretsAreMade;

        Summariser(boolean onlyWhereSecretsAreMade) {
            this.onlyWhereSecretsAreMade = onlyWhereSecretsAreMade;
        }

        Summariser() {
            this(false);
        }

        /** Decided from the call alone, before its thread and stack are looked up: false drops it. */
        boolean wanted(Object self) {
            return true;
        }

        /** Fills the span's arguments, flags and result; false drops the call. */
        abstract boolean summarise(Call call);
    }

    /** The summariser of each category, indexed by {@link ApiCategory#ordinal()}. */
    static Summariser[] byCategory() {
        Summariser[] all = new Summariser[ApiCategory.values().length];
        Arrays.fill(all, NO_ARGUMENTS);
        all[ApiCategory.FILE.ordinal()] = new FileCalls();
        all[ApiCategory.PROCESS.ordinal()] = new ProcessCalls();
        all[ApiCategory.NETWORK.ordinal()] = new NetworkCalls();
        all[ApiCategory.HTTP.ordinal()] = new HttpCalls();
        all[ApiCategory.CRYPTO.ordinal()] = new CryptoCalls();
        all[ApiCategory.RANDOM.ordinal()] = new RandomCalls();
        all[ApiCategory.TLS.ordinal()] = new TlsCalls();
        all[ApiCategory.DESERIALIZE.ordinal()] = new DeserializeCalls();
        all[ApiCategory.JNDI.ordinal()] = new JndiCalls();
        all[ApiCategory.DYNLOAD.ordinal()] = new DynloadCalls();
        all[ApiCategory.SQL.ordinal()] = new SqlCalls();
        return all;
    }

    /** Categories whose calls are recorded with their span and stack only. */
    private static final Summariser NO_ARGUMENTS = new Summariser() {
        @Override
        boolean summarise(Call call) {
            return true;
        }
    };

    /** Opening files: the path. */
    static final class FileCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (c.stack.caller == null) {
                return false; // the JDK reading for itself (class files, its own configuration), not the application
            }
            if (c.hook.summary == ApiHooks.Summary.PATH) {
                c.span.args.put("path", ApiRecorder.pathOf(c.arg(0)));
            }
            return true;
        }
    }

    /** Starting programs: the program, the redacted command line, the shell flag. */
    static final class ProcessCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (c.hook.summary == ApiHooks.Summary.EXEC) {
                exec(c.span, c.arg(0));
            } else if (c.hook.summary == ApiHooks.Summary.PROCESS_BUILDER) {
                exec(c.span, ((ProcessBuilder) c.self).command().toArray(new String[0]));
            }
            return true;
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
                    List<String> redacted = ArgvRedactor.redact(Arrays.asList(argv));
                    span.args.put("command", String.join(" ", redacted));
                    shellFlag(span, argv);
                }
            }
        }

        private static void shellFlag(SpanRecord span, String[] argv) {
            if (ApiRecorder.isShell(argv)) {
                span.flag("shell");
            }
        }
    }

    /** Sockets: the peer connected to, the local address bound or accepted on. */
    static final class NetworkCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            switch (c.hook.summary) {
                case PEER:
                    c.span.args.put("peer", ApiRecorder.address(c.arg(0)));
                    break;
                case BIND:
                    c.span.args.put("local", localOf(c.self, c.arg(0)));
                    break;
                case ACCEPT:
                    if (c.returned == null) {
                        return false; // a non-blocking accept with nobody waiting
                    }
                    c.span.args.put("local", localOf(c.self, null));
                    c.span.args.put("peer", remoteOf(c.returned));
                    break;
                default:
                    break;
            }
            return true;
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
                    return ApiRecorder.address(bound);
                }
            } catch (Exception e) {
                // Not bound after all: report what was asked for.
            }
            return ApiRecorder.address(requested);
        }

        private static String remoteOf(Object accepted) {
            try {
                if (accepted instanceof Socket) {
                    return ApiRecorder.address(((Socket) accepted).getRemoteSocketAddress());
                }
                if (accepted instanceof SocketChannel) {
                    return ApiRecorder.address(((SocketChannel) accepted).getRemoteAddress());
                }
            } catch (Exception e) {
                // Closed already.
            }
            return null;
        }
    }

    /** HTTP requests made: method, URL without query, status; each is also a web API "called". */
    static final class HttpCalls extends Summariser {
        /** URL connections already recorded: getInputStream may be called again for the same response. */
        private final Map<Object, Boolean> recordedConnections = Collections.synchronizedMap(new WeakHashMap<>());

        @Override
        boolean summarise(Call c) {
            if (c.hook.summary == ApiHooks.Summary.URL_CONNECTION) {
                if (recordedConnections.put(c.self, Boolean.TRUE) != null) {
                    return false;
                }
                c.called = urlConnection(c.span, (HttpURLConnection) c.self, c.thrown);
            } else if (c.hook.summary == ApiHooks.Summary.HTTP_CLIENT) {
                c.called = httpClient(c.span, c.arg(0), c.returned);
            }
            return true;
        }

        private static WebApiTable.Entry urlConnection(SpanRecord span, HttpURLConnection c, Throwable thrown) {
            URL url = c.getURL();
            String method = c.getRequestMethod();
            span.args.put("method", method);
            span.args.put(
                    "url", ApiRecorder.urlWithoutQuery(url.getProtocol(), url.getHost(), url.getPort(), url.getPath()));
            int status = -1;
            // Asking for the status again is safe when the response is in hand (it is cached),
            // or when the server's error answer was (FileNotFoundException): no new request is made.
            if (thrown == null || thrown instanceof FileNotFoundException) {
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
            return new WebApiTable.Entry(
                    "called",
                    method,
                    url.getProtocol(),
                    url.getHost() + ":" + port,
                    WebApiTable.routeTemplate(url.getPath()),
                    status,
                    "java.net.HttpURLConnection");
        }

        private static WebApiTable.Entry httpClient(SpanRecord span, Object request, Object response) {
            if (!(request instanceof HttpRequest)) {
                return null;
            }
            HttpRequest r = (HttpRequest) request;
            URI uri = r.uri();
            span.args.put("method", r.method());
            span.args.put(
                    "url",
                    ApiRecorder.urlWithoutQuery(uri.getScheme(), uri.getHost(), uri.getPort(), uri.getRawPath()));
            int status = -1;
            if (response instanceof HttpResponse) {
                status = ((HttpResponse<?>) response).statusCode();
                span.returned = status;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
            return new WebApiTable.Entry(
                    "called",
                    r.method(),
                    uri.getScheme(),
                    uri.getHost() + ":" + port,
                    WebApiTable.routeTemplate(uri.getRawPath()),
                    status,
                    "java.net.http.HttpClient");
        }

        /** An HTTP exchange served, for the web API table; null when it cannot be read. */
        static WebApiTable.Entry served(ApiHooks.Hook hook, Object[] args) {
            if (hook.summary == ApiHooks.Summary.SERVLET) {
                return servlet(args);
            }
            return httpServer(args != null && args.length > 0 ? args[0] : null);
        }

        private static WebApiTable.Entry httpServer(Object exchange) {
            if (!(exchange instanceof com.sun.net.httpserver.HttpExchange)) {
                return null;
            }
            com.sun.net.httpserver.HttpExchange x = (com.sun.net.httpserver.HttpExchange) exchange;
            String scheme = exchange instanceof com.sun.net.httpserver.HttpsExchange ? "https" : "http";
            // The listener's address: the exchange's own socket may be closed by now.
            InetSocketAddress listener = x.getHttpContext().getServer().getAddress();
            return new WebApiTable.Entry(
                    "served",
                    x.getRequestMethod(),
                    scheme,
                    ApiRecorder.address(listener != null ? listener : x.getLocalAddress()),
                    WebApiTable.routeTemplate(x.getRequestURI().getRawPath()),
                    x.getResponseCode(),
                    "com.sun.net.httpserver");
        }

        /** The Servlet API by reflection: it is the application's, not on the agent's class path. */
        private static WebApiTable.Entry servlet(Object[] args) {
            Object request = args != null && args.length > 0 ? args[0] : null;
            Object response = args != null && args.length > 1 ? args[1] : null;
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
            return new WebApiTable.Entry(
                    "served",
                    method.toUpperCase(Locale.ROOT),
                    scheme == null ? null : String.valueOf(scheme),
                    host + ":" + port,
                    WebApiTable.routeTemplate(uri),
                    status instanceof Integer ? (Integer) status : -1,
                    framework);
        }

        /** Calls a public no-argument method through a public interface or class that declares it. */
        private static Object invoke(Object target, String name) {
            try {
                for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
                    List<Class<?>> candidates = new ArrayList<>();
                    candidates.add(c);
                    Collections.addAll(candidates, c.getInterfaces());
                    for (Class<?> k : candidates) {
                        if (!Modifier.isPublic(k.getModifiers())) {
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
    }

    /** Ciphers and digests asked for by name: the algorithm, and whether it is weak. */
    static final class CryptoCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (!c.stack.calledByApplication) {
                return false; // the JDK probing which algorithms exist (TLS set-up): not the application's choice
            }
            Object algorithm = c.arg(0);
            if (c.hook.summary == ApiHooks.Summary.CIPHER) {
                algorithm(c.span, algorithm, ApiRecorder.isWeakCipher(String.valueOf(algorithm)));
            } else if (c.hook.summary == ApiHooks.Summary.DIGEST) {
                algorithm(c.span, algorithm, ApiRecorder.isWeakDigest(String.valueOf(algorithm)));
            }
            return true;
        }

        private static void algorithm(SpanRecord span, Object algorithm, boolean weak) {
            span.args.put("algorithm", String.valueOf(algorithm));
            if (weak) {
                span.flag("weak_algorithm");
            }
        }
    }

    /** Predictable randomness, which only matters where secrets are made. */
    static final class RandomCalls extends Summariser {
        RandomCalls() {
            super(true); // decided without building the stack
        }

        @Override
        boolean wanted(Object self) {
            return !(self instanceof SecureRandom);
        }

        @Override
        boolean summarise(Call c) {
            if (!ApiRecorder.inSecretContext(c.stack.frames)) {
                return false;
            }
            c.span.args.put("class", c.self.getClass().getName());
            c.span.flag("weak_random");
            c.span.flag("secret_context");
            return true;
        }
    }

    /** TLS set-up by the application: flags a trust manager that trusts every certificate. */
    static final class TlsCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (c.hook.summary != ApiHooks.Summary.TLS_CONTEXT) {
                return true;
            }
            if (!c.stack.calledByApplication) {
                return false; // the JDK's own default context
            }
            if (TrustAll.anyTrustsEverything(c.arg(1))) {
                c.span.flag("verify_none");
            }
            return true;
        }
    }

    /** Objects read from a stream: the class that came out. */
    static final class DeserializeCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (c.returned != null) {
                c.span.args.put("class", c.returned.getClass().getName());
            }
            c.span.flag("deserialize");
            return true;
        }
    }

    /** JNDI lookups: the redacted name. */
    static final class JndiCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            c.span.args.put("class", ArgvRedactor.redactText(String.valueOf(c.arg(0))));
            c.span.flag("jndi");
            return true;
        }
    }

    /** Native libraries loaded: the library named. */
    static final class DynloadCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            if (c.hook.summary == ApiHooks.Summary.LIBRARY) {
                c.span.args.put("library", String.valueOf(c.arg(0)));
            }
            return true;
        }
    }

    /** SQL through JDBC: the statement with its literals masked, and whether it was concatenated. */
    static final class SqlCalls extends Summariser {
        @Override
        boolean summarise(Call c) {
            Object sql = c.arg(0);
            if (sql instanceof String) {
                SqlText text = SqlText.of((String) sql, SqlDialect.ofDriver(c.self));
                c.span.args.put("sql", text.masked);
                if (text.concatenated) {
                    c.span.flag("concatenated_sql");
                }
            }
            return true;
        }
    }
}
