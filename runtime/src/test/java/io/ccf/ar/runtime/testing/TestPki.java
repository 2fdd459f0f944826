package io.ccf.ar.runtime.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with Debian's {@code openssl}: a CA, and leaf certificates it signs (EC P-256, PKCS#8 keys,
 * as openssl writes them by default), with subject alternative names.
 */
public final class TestPki {
    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** A new CA {@code <name>-ca.pem} / {@code <name>-ca.key} under {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve(name)));
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", pki.caKey().toString(), "-out", pki.caCert().toString(), "-days", "2", "-subj", "/CN=" + name + " test CA");
        return pki;
    }

    public Path caCert() {
        return dir.resolve("ca.pem");
    }

    private Path caKey() {
        return dir.resolve("ca.key");
    }

    /** A leaf certificate {@code <name>.pem} and key {@code <name>.key}, signed by this CA, with {@code san} (e.g. "IP:127.0.0.1"). */
    public Path[] issue(String name, String san, boolean client) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\n"
                + "extendedKeyUsage=" + (client ? "clientAuth" : "serverAuth") + "\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert().toString(), "-CAkey", caKey().toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return new Path[] {cert, key};
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
