package dev.apitrace.examples.polyglot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Java half of the polyglot example, called from Node through java-bridge:
 * it reads a file, digests it and asks a local server about it, so that the
 * JVM agent has file, crypto and network calls to record in the Node process.
 */
public final class CatalogChecks {
    private CatalogChecks() {}

    /** The lines of a text file, as Java reads them (Files.readAllLines opens the file natively). */
    public static String[] readCatalog(String path) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
        return lines.toArray(new String[0]);
    }

    /** SHA-256 of a file's bytes, hex: a strong digest on purpose, so no weak-hash finding. */
    public static String sha256Of(String path) throws IOException, NoSuchAlgorithmException {
        byte[] bytes = Files.readAllBytes(Path.of(path));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * Sends one line to a local line server and returns its one-line answer. Plain
     * sockets on purpose: the connect is a native call the shim sees on a JVM thread.
     */
    public static String askServer(String host, int port, String question) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((question + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String answer = in.readLine();
            return answer == null ? "" : answer;
        }
    }
}
