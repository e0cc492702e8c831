package dev.apitrace.agent;

import java.net.URI;
import java.net.URL;

/**
 * Where a JVM code source lives, as a path the core can name: a jar or class directory
 * on disk ({@code /srv/app/lib/guava.jar}), or an entry inside a jar for Spring Boot's
 * nested jars, {@code jar:nested:/app.jar/!BOOT-INF/lib/guava.jar!/} and
 * {@code jar:file:/app.jar!/BOOT-INF/lib/guava.jar!/}, both written
 * {@code /app.jar!/BOOT-INF/lib/guava.jar}. The original URL is kept when it was not a
 * plain {@code file:} URL.
 */
final class CodeSourceLocation {
    final String path;
    /** The URL as the class loader gave it, or null for a plain file: URL. */
    final String url;
    /** The jar file on disk that holds the code. */
    final String file;
    /** The entry inside {@link #file} for nested code, or null. */
    final String entry;

    CodeSourceLocation(String path, String url, String file, String entry) {
        this.path = path;
        this.url = url;
        this.file = file;
        this.entry = entry;
    }

    /** The location of a code source URL, or null when it names no code we can find. */
    static CodeSourceLocation of(URL location) {
        return location == null ? null : parse(location.toString());
    }

    static CodeSourceLocation parse(String url) {
        if (url.startsWith("file:")) {
            String file = filePath(url);
            return file == null ? null : new CodeSourceLocation(file, null, file, null);
        }
        String rest;
        boolean nested;
        if (url.startsWith("jar:nested:")) {
            rest = url.substring("jar:nested:".length());
            nested = true;
        } else if (url.startsWith("nested:")) {
            rest = url.substring("nested:".length());
            nested = true;
        } else if (url.startsWith("jar:file:")) {
            rest = url.substring("jar:".length());
            nested = false;
        } else if (url.startsWith("jrt:")) {
            return null;
        } else {
            // Another loader's scheme (vfs:, bundle:): the URL is the best name there is.
            return new CodeSourceLocation(url, url, null, null);
        }
        String outer;
        String inner;
        if (nested) {
            // nested:/app.jar/!BOOT-INF/lib/x.jar!/ : the outer path ends at "/!".
            int sep = rest.indexOf("/!");
            outer = decode(sep < 0 ? rest : rest.substring(0, sep));
            inner = sep < 0 ? "" : rest.substring(sep + 2);
        } else {
            int sep = rest.indexOf("!/");
            outer = filePath(sep < 0 ? rest : rest.substring(0, sep));
            inner = sep < 0 ? "" : rest.substring(sep + 2);
        }
        if (outer == null) {
            return null;
        }
        inner = trimEntry(inner);
        if (inner.isEmpty()) {
            return new CodeSourceLocation(outer, url, outer, null);
        }
        return new CodeSourceLocation(outer + "!/" + inner, url, outer, inner);
    }

    /** {@code BOOT-INF/lib/x.jar!/} and {@code BOOT-INF/classes/} lose their trailing "!/" and "/". */
    private static String trimEntry(String inner) {
        String s = inner;
        if (s.endsWith("!/")) {
            s = s.substring(0, s.length() - 2);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }

    private static String filePath(String fileUrl) {
        try {
            String path = new URI(fileUrl).getPath();
            if (path == null) {
                return null;
            }
            return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        } catch (Exception e) {
            String p = fileUrl.substring("file:".length());
            return p.isEmpty() ? null : p;
        }
    }

    private static String decode(String path) {
        try {
            return new URI("file", null, "/", null).resolve(path).getPath();
        } catch (Exception e) {
            return path;
        }
    }
}
