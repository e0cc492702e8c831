package dev.apitrace.agent.testapp;

import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** One TLS context with the JDK's trust managers, one with a trust-all manager (the classic mistake). */
public final class TrustAllApp {
    private TrustAllApp() {}

    static final class TrustEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static void main(String[] args) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((java.security.KeyStore) null);
        SSLContext checked = SSLContext.getInstance("TLS");
        checked.init(null, tmf.getTrustManagers(), null);
        SSLContext unchecked = SSLContext.getInstance("TLS");
        unchecked.init(null, new TrustManager[] {new TrustEveryone()}, null);
        System.out.println("contexts: " + checked.getProtocol() + " " + unchecked.getProtocol());
    }
}
