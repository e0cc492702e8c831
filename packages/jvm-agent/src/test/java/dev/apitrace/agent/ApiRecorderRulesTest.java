package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiRecorderRulesTest {
    @Test
    void weakCiphersAreEcbDesRc4AndBareBlockCipherNames() {
        for (String weak : new String[] {
            "AES",
            "AES/ECB/PKCS5Padding",
            "DES/CBC/PKCS5Padding",
            "DESede/CBC/NoPadding",
            "RC4",
            "ARCFOUR",
            "aes/ecb/nopadding"
        }) {
            assertTrue(ApiRecorder.isWeakCipher(weak), weak);
        }
        for (String fine : new String[] {
            "AES/GCM/NoPadding",
            "AES/CBC/PKCS5Padding",
            "ChaCha20-Poly1305",
            "RSA/ECB/OAEPWithSHA-256AndMGF1Padding".replace("ECB", "NONE")
        }) {
            assertFalse(ApiRecorder.isWeakCipher(fine), fine);
        }
    }

    @Test
    void weakDigestsAreMd5AndSha1() {
        for (String weak : new String[] {"MD5", "md5", "SHA-1", "SHA1", "SHA", "MD2"}) {
            assertTrue(ApiRecorder.isWeakDigest(weak), weak);
        }
        assertFalse(ApiRecorder.isWeakDigest("SHA-256"));
        assertFalse(ApiRecorder.isWeakDigest("SHA3-256"));
    }

    @Test
    void aShellIsAShellProgramGivenACommandString() {
        assertTrue(ApiRecorder.isShell(new String[] {"/bin/sh", "-c", "ls"}));
        assertTrue(ApiRecorder.isShell(new String[] {"bash", "-lc", "ls"}));
        assertTrue(ApiRecorder.isShell(new String[] {"cmd.exe", "/c", "dir"}));
        assertFalse(ApiRecorder.isShell(new String[] {"/bin/sh", "script.sh"}));
        assertFalse(ApiRecorder.isShell(new String[] {"ls", "-c"}));
        assertFalse(ApiRecorder.isShell(new String[] {"sh"}));
    }

    @Test
    void secretContextComesFromApplicationFramesOnly() {
        JavaFrame jdk = new JavaFrame("java.util.Random.nextLong", "Random.java", 1, null);
        JavaFrame token = new JavaFrame("com.example.TokenService.newToken", "TokenService.java", 9, "/app.jar");
        JavaFrame plain = new JavaFrame("com.example.Dice.roll", "Dice.java", 3, "/app.jar");
        JavaFrame jdkKey = new JavaFrame("sun.security.KeyGenerator.generateKey", "x", 1, null);
        assertTrue(ApiRecorder.inSecretContext(List.of(jdk, token)));
        assertFalse(ApiRecorder.inSecretContext(List.of(jdk, plain, jdkKey)));
        // The package does not count, only class and method.
        assertFalse(ApiRecorder.inSecretContext(List.of(new JavaFrame("com.secret.Dice.roll", "x", 1, "/app.jar"))));
        assertTrue(ApiRecorder.inSecretContext(
                List.of(new JavaFrame("com.example.Codes.generatePassword", "x", 1, "/app.jar"))));
        assertTrue(
                ApiRecorder.inSecretContext(List.of(new JavaFrame("com.example.Auth$SALTS.pick", "x", 1, "/app.jar"))));
    }

    @Test
    void secretWordsAreFoundFromAnOffsetIgnoringCase() {
        assertTrue(ApiRecorder.namesSecret("newAccessToken", 0));
        assertTrue(ApiRecorder.namesSecret("com.example.ApiKeys", "com.example.".length()));
        assertFalse(ApiRecorder.namesSecret("com.secret.Dice", "com.secret.".length()));
        assertFalse(ApiRecorder.namesSecret("roll", 0));
    }

    @Test
    void addressesAreHostPortWithIpv6Bracketed() {
        assertEquals("127.0.0.1:8080", ApiRecorder.address(new InetSocketAddress("127.0.0.1", 8080)));
        assertEquals("[0:0:0:0:0:0:0:1]:443", ApiRecorder.address(new InetSocketAddress("::1", 443)));
        assertEquals("http://h:8/p", ApiRecorder.urlWithoutQuery("http", "h", 8, "/p"));
        assertEquals("https://h/", ApiRecorder.urlWithoutQuery("https", "h", -1, ""));
        assertEquals(
                "https://h/reset/***/ok",
                ApiRecorder.urlWithoutQuery("https", "h", -1, "/reset/0123456789abcdef0123456789abcdef01234567/ok"));
    }
}
