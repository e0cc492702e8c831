package dev.apitrace.agent;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Recognises the trust-all X509TrustManager: one of the application's own (the JDK's
 * never is), that names no accepted issuer and accepts a server that presents no
 * certificate at all. A real trust manager rejects an empty chain (the JDK's throws
 * IllegalArgumentException), so this asks nothing a real one would answer yes to.
 */
final class TrustAll {
    private static final X509Certificate[] NO_CHAIN = new X509Certificate[0];

    private TrustAll() {}

    static boolean anyTrustsEverything(Object managers) {
        if (!(managers instanceof TrustManager[])) {
            return false;
        }
        for (TrustManager m : (TrustManager[]) managers) {
            if (m instanceof X509TrustManager && trustsEverything((X509TrustManager) m)) {
                return true;
            }
        }
        return false;
    }

    static boolean trustsEverything(X509TrustManager m) {
        ClassLoader loader = m.getClass().getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        try {
            X509Certificate[] issuers = m.getAcceptedIssuers();
            if (issuers != null && issuers.length > 0) {
                return false;
            }
            m.checkServerTrusted(NO_CHAIN, "RSA");
            return true;
        } catch (CertificateException | RuntimeException rejected) {
            return false;
        }
    }
}
