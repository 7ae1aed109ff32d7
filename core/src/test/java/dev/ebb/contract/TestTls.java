package dev.ebb.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per JVM at test time
 * with the JDK's own {@code keytool}, in a PKCS12 key store in a temporary folder. Servers under test load
 * {@link #keyStore()} (password {@link #PASSWORD}, alias {@link #ALIAS}); clients trust it through
 * {@link #clientContext()}. Thread-safe.
 */
public final class TestTls {

    /** The key store's and the key's password. */
    public static final String PASSWORD = "ebb-test";
    /** The key's alias. */
    public static final String ALIAS = "ebb";

    private static Path keyStore;

    private TestTls() {
    }

    /** The PKCS12 key store file, made on first use. */
    public static synchronized Path keyStore() {
        if (keyStore == null) {
            keyStore = make();
        }
        return keyStore;
    }

    /** A server-side context with the key. */
    public static SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(), PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the test server's TLS context", e);
        }
    }

    /** A client-side context that trusts the test certificate (and nothing else). */
    public static SSLContext clientContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the test client's TLS context", e);
        }
    }

    /** The key store, loaded. */
    public static KeyStore load() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore())) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static Path make() {
        try {
            Path dir = Files.createTempDirectory("ebb-tls");
            Path file = dir.resolve("test.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            // Deleted at exit in the reverse order: the file, then its directory.
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted making the test certificate", e);
        }
    }
}
