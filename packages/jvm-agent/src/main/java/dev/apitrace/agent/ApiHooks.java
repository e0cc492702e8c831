package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one table of intercepted APIs: which methods, under which API id and category,
 * with which hook shape and which way of summarising arguments. {@link ApiInstaller}
 * weaves it into the classes ({@link HookWeaver}); {@link ApiRecorder} summarises by {@link Summary}. Adding an
 * API is one line here.
 */
final class ApiHooks {
    enum Shape {
        METHOD,
        SERVED,
        EXIT_STATUS,
        UNCAUGHT,
        RANDOM_SAMPLED
    }

    /** Where the hooked types come from: one named class, or every loaded JDBC implementation. */
    enum Types {
        NAMED,
        JDBC_STATEMENT,
        JDBC_CONNECTION
    }

    enum Summary {
        PATH,
        EXEC,
        PROCESS_BUILDER,
        PEER,
        BIND,
        ACCEPT,
        URL_CONNECTION,
        HTTP_CLIENT,
        CIPHER,
        DIGEST,
        RANDOM,
        DESERIALIZE,
        JNDI,
        LIBRARY,
        SQL,
        TLS_CONTEXT,
        HTTP_SERVER,
        SERVLET,
        NONE
    }

    /**
     * Which methods of a hooked type: by name, and optionally by number of parameters and
     * the type of the first one. Constructors and static initialisers never; methods
     * without code (abstract, native) have nothing to hook.
     */
    static final class Methods {
        private final String[] names;
        private int parameters = -1;
        private String firstParameter;

        Methods(String... names) {
            this.names = names;
        }

        Methods takesArguments(int count) {
            parameters = count;
            return this;
        }

        /** {@code descriptor}: the parameter's type descriptor, {@code Ljava/lang/String;}. */
        Methods firstArgument(String descriptor) {
            firstParameter = descriptor;
            return this;
        }

        boolean matches(String name, String descriptor) {
            boolean named = false;
            for (String n : names) {
                named |= n.equals(name);
            }
            if (!named) {
                return false;
            }
            if (parameters >= 0 && HookWeaver.parameterCount(descriptor) != parameters) {
                return false;
            }
            return firstParameter == null || descriptor.startsWith(firstParameter, 1);
        }
    }

    static Methods named(String... names) {
        return new Methods(names);
    }

    static final class Hook {
        final int index;
        final Types types;
        final String typeName;
        final Methods methods;
        final String api;
        final ApiCategory category;
        final Shape shape;
        final Summary summary;

        Hook(
                int index,
                Types types,
                String typeName,
                Methods methods,
                String api,
                ApiCategory category,
                Shape shape,
                Summary summary) {
            this.index = index;
            this.types = types;
            this.typeName = typeName;
            this.methods = methods;
            this.api = api;
            this.category = category;
            this.shape = shape;
            this.summary = summary;
        }
    }

    private static final String STRING = "Ljava/lang/String;";
    static final List<Hook> ALL = build();

    private ApiHooks() {}

    private static final class Table {
        final List<Hook> hooks = new ArrayList<>();

        Table add(String type, Methods methods, String api, ApiCategory category, Shape shape, Summary summary) {
            hooks.add(new Hook(hooks.size(), Types.NAMED, type, methods, api, category, shape, summary));
            return this;
        }

        Table method(String type, Methods methods, String api, ApiCategory category, Summary summary) {
            return add(type, methods, api, category, Shape.METHOD, summary);
        }

        Table jdbc(Types types, String method, String api) {
            hooks.add(new Hook(
                    hooks.size(),
                    types,
                    null,
                    named(method).firstArgument(STRING),
                    api,
                    ApiCategory.SQL,
                    Shape.METHOD,
                    Summary.SQL));
            return this;
        }
    }

    private static List<Hook> build() {
        Table t = new Table();
        // Processes.
        t.method("java.lang.Runtime", named("exec"), "java:java.lang.Runtime.exec", ApiCategory.PROCESS, Summary.EXEC);
        t.method(
                "java.lang.ProcessBuilder",
                named("start").takesArguments(0),
                "java:java.lang.ProcessBuilder.start",
                ApiCategory.PROCESS,
                Summary.PROCESS_BUILDER);
        // Files: the private open(...) every constructor of these classes ends in, around the
        // native open itself. A method, not the constructor: a handler cannot be put around a
        // super constructor call, and a failed open (FileNotFoundException) belongs in the record.
        t.method(
                "java.io.FileInputStream",
                named("open").takesArguments(1).firstArgument(STRING),
                "java:java.io.FileInputStream.<init>",
                ApiCategory.FILE,
                Summary.PATH);
        t.method(
                "java.io.FileOutputStream",
                named("open").takesArguments(2).firstArgument(STRING),
                "java:java.io.FileOutputStream.<init>",
                ApiCategory.FILE,
                Summary.PATH);
        t.method(
                "java.io.RandomAccessFile",
                named("open").takesArguments(2).firstArgument(STRING),
                "java:java.io.RandomAccessFile.<init>",
                ApiCategory.FILE,
                Summary.PATH);
        t.method(
                "java.nio.file.Files",
                named("newByteChannel"),
                "java:java.nio.file.Files.newByteChannel",
                ApiCategory.FILE,
                Summary.PATH);
        t.method(
                "java.nio.file.Files",
                named("newInputStream"),
                "java:java.nio.file.Files.newInputStream",
                ApiCategory.FILE,
                Summary.PATH);
        t.method(
                "java.nio.file.Files",
                named("newOutputStream"),
                "java:java.nio.file.Files.newOutputStream",
                ApiCategory.FILE,
                Summary.PATH);
        // Network.
        t.method(
                "java.net.Socket",
                named("connect").takesArguments(2),
                "java:java.net.Socket.connect",
                ApiCategory.NETWORK,
                Summary.PEER);
        t.method(
                "sun.nio.ch.SocketChannelImpl",
                named("connect").takesArguments(1),
                "java:java.nio.channels.SocketChannel.connect",
                ApiCategory.NETWORK,
                Summary.PEER);
        t.method(
                "java.net.ServerSocket",
                named("bind").takesArguments(2),
                "java:java.net.ServerSocket.bind",
                ApiCategory.NETWORK,
                Summary.BIND);
        t.method(
                "java.net.ServerSocket",
                named("accept").takesArguments(0),
                "java:java.net.ServerSocket.accept",
                ApiCategory.NETWORK,
                Summary.ACCEPT);
        t.method(
                "sun.nio.ch.ServerSocketChannelImpl",
                named("bind").takesArguments(2),
                "java:java.nio.channels.ServerSocketChannel.bind",
                ApiCategory.NETWORK,
                Summary.BIND);
        t.method(
                "sun.nio.ch.ServerSocketChannelImpl",
                named("accept").takesArguments(0),
                "java:java.nio.channels.ServerSocketChannel.accept",
                ApiCategory.NETWORK,
                Summary.ACCEPT);
        // HTTP clients (also web_api "called").
        t.method(
                "sun.net.www.protocol.http.HttpURLConnection",
                named("getInputStream").takesArguments(0),
                "java:java.net.HttpURLConnection.getInputStream",
                ApiCategory.HTTP,
                Summary.URL_CONNECTION);
        t.method(
                "jdk.internal.net.http.HttpClientImpl",
                named("send").takesArguments(2),
                "java:java.net.http.HttpClient.send",
                ApiCategory.HTTP,
                Summary.HTTP_CLIENT);
        // Crypto and randomness.
        t.method(
                "javax.crypto.Cipher",
                named("getInstance"),
                "java:javax.crypto.Cipher.getInstance",
                ApiCategory.CRYPTO,
                Summary.CIPHER);
        t.method(
                "java.security.MessageDigest",
                named("getInstance"),
                "java:java.security.MessageDigest.getInstance",
                ApiCategory.CRYPTO,
                Summary.DIGEST);
        // Random is called in hot loops: sampled per thread (Dispatch.enterSampled), SecureRandom skipped in the
        // advice.
        t.add(
                "java.util.Random",
                named("nextInt", "nextLong", "nextBytes", "nextDouble"),
                "java:java.util.Random.next",
                ApiCategory.RANDOM,
                Shape.RANDOM_SAMPLED,
                Summary.RANDOM);
        // TLS set-up: a trust manager that trusts every certificate.
        t.method(
                "javax.net.ssl.SSLContext",
                named("init").takesArguments(3),
                "java:javax.net.ssl.SSLContext.init",
                ApiCategory.TLS,
                Summary.TLS_CONTEXT);
        // Deserialisation, JNDI, native libraries.
        t.method(
                "java.io.ObjectInputStream",
                named("readObject").takesArguments(0),
                "java:java.io.ObjectInputStream.readObject",
                ApiCategory.DESERIALIZE,
                Summary.DESERIALIZE);
        t.method(
                "javax.naming.InitialContext",
                named("lookup").takesArguments(1),
                "java:javax.naming.InitialContext.lookup",
                ApiCategory.JNDI,
                Summary.JNDI);
        t.method(
                "java.lang.System",
                named("loadLibrary").takesArguments(1),
                "java:java.lang.System.loadLibrary",
                ApiCategory.DYNLOAD,
                Summary.LIBRARY);
        t.method(
                "java.lang.System",
                named("load").takesArguments(1),
                "java:java.lang.System.load",
                ApiCategory.DYNLOAD,
                Summary.LIBRARY);
        // SQL through any JDBC driver.
        t.jdbc(Types.JDBC_STATEMENT, "execute", "java:java.sql.Statement.execute");
        t.jdbc(Types.JDBC_STATEMENT, "executeQuery", "java:java.sql.Statement.executeQuery");
        t.jdbc(Types.JDBC_STATEMENT, "executeUpdate", "java:java.sql.Statement.executeUpdate");
        t.jdbc(Types.JDBC_STATEMENT, "executeLargeUpdate", "java:java.sql.Statement.executeLargeUpdate");
        t.jdbc(Types.JDBC_STATEMENT, "addBatch", "java:java.sql.Statement.addBatch");
        t.jdbc(Types.JDBC_CONNECTION, "prepareStatement", "java:java.sql.Connection.prepareStatement");
        t.jdbc(Types.JDBC_CONNECTION, "prepareCall", "java:java.sql.Connection.prepareCall");
        // Web APIs served.
        t.add(
                "com.sun.net.httpserver.Filter$Chain",
                named("doFilter").takesArguments(1),
                "java:com.sun.net.httpserver.HttpHandler.handle",
                ApiCategory.HTTP,
                Shape.SERVED,
                Summary.HTTP_SERVER);
        for (String servlet : new String[] {"javax.servlet.http.HttpServlet", "jakarta.servlet.http.HttpServlet"}) {
            t.add(
                    servlet,
                    named("service").takesArguments(2).firstArgument("L" + servlet.replace('.', '/') + "Request;"),
                    "java:" + servlet + ".service",
                    ApiCategory.HTTP,
                    Shape.SERVED,
                    Summary.SERVLET);
        }
        // How the process ends (process_end.exit_code).
        t.add(
                "java.lang.Shutdown",
                named("exit").takesArguments(1),
                "java:java.lang.Shutdown.exit",
                ApiCategory.PROCESS,
                Shape.EXIT_STATUS,
                Summary.NONE);
        t.add(
                "java.lang.Thread",
                named("dispatchUncaughtException"),
                "java:java.lang.Thread.dispatchUncaughtException",
                ApiCategory.THREAD,
                Shape.UNCAUGHT,
                Summary.NONE);
        return Collections.unmodifiableList(t.hooks);
    }
}
