package dev.apitrace.example;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Calls the order server: once with HttpURLConnection, once with java.net.http.HttpClient. */
public final class OrderClient {
    private final String base;

    public OrderClient(int port) {
        base = "http://127.0.0.1:" + port;
    }

    public String getWithUrlConnection(long id) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + "/orders/" + id).openConnection();
        try {
            int status = c.getResponseCode();
            if (status != 200) {
                return "HTTP " + status;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    public String getWithHttpClient(long id) throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/orders/" + id)).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "HTTP " + response.statusCode();
    }
}
