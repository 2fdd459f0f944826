package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code nats:} authentication and TLS settings: bound beside the config file, checked with file:line errors. */
class NatsAuthConfigTest {
    @TempDir
    Path dir;

    private RuntimeConfig load(Map<String, String> env, String yaml) {
        return new RuntimeConfigLoader(env, () -> "h").load(write(dir, "config.yml", yaml));
    }

    private List<String> problems(Map<String, String> env, String yaml) {
        Path file = write(dir, "config.yml", yaml);
        return problemsOf(() -> new RuntimeConfigLoader(env, () -> "h").load(file)).stream()
                .map(p -> p.replace(file.toString(), "config.yml")).toList();
    }

    @Test
    void userWithAPasswordFileOrTheEnvironment() {
        write(dir, "nats.pw", "secret-pw\n");
        NatsAuthSettings auth = load(Map.of(), "nats:\n  user: ar\n  passwordFile: nats.pw\n").nats().auth();
        assertEquals(NatsAuthSettings.Method.USER_PASSWORD, auth.method());
        assertEquals(dir.resolve("nats.pw").toAbsolutePath(), auth.password().file());
        assertFalse(auth.toString().contains("secret"), auth.toString());

        auth = load(Map.of("AR_NATS_PASSWORD", "env-secret"), "nats:\n  user: ar\n").nats().auth();
        assertEquals("AR_NATS_PASSWORD", auth.password().setting());
        assertFalse(auth.toString().contains("env-secret"), "the config never prints a secret: " + auth);

        auth = load(Map.of("AR_NATS_TOKEN", "tok"), "eventBusURL: nats://127.0.0.1:4222\n").nats().auth();
        assertEquals(NatsAuthSettings.Method.TOKEN, auth.method());
        assertNull(load(Map.of(), "runtimeId: x\n").nats().auth().tls());
    }

    @Test
    void anInboxPrefixIsAPlainSubjectAndNamedWithItsLineWhenItIsNot() {
        assertNull(load(Map.of(), "nats:\n  spoolDir: spool\n").nats().auth().inboxPrefix(), "jnats' _INBOX by default");
        assertEquals("_INBOX_runtime", load(Map.of(), "nats:\n  inboxPrefix: _INBOX_runtime\n").nats().auth().inboxPrefix());
        assertEquals("ar.rt-1.inbox", load(Map.of(), "nats:\n  inboxPrefix: ar.rt-1.inbox\n").nats().auth().inboxPrefix());
        for (String bad : List.of("\"\"", "_INBOX.>", "a.*.b", "a..b", "a.", "\"a b\"")) {
            List<String> p = problems(Map.of(), "runtimeId: rt\nnats:\n  inboxPrefix: " + bad + "\n");
            assertEquals(1, p.size(), bad + ": " + p);
            assertTrue(p.get(0).startsWith("config.yml:3") && p.get(0).contains("nats.inboxPrefix"), p.get(0));
        }
    }

    @Test
    void missingFilesAndConflictsNameTheSettingAndLine() {
        write(dir, "nats.pw", "pw");
        write(dir, "seed.nk", "SU...");
        List<String> p = problems(Map.of(), "nats:\n  credentialsFile: missing.creds\n");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("config.yml:2") && p.get(0).contains("nats.credentialsFile")
                && p.get(0).contains("file not found: " + dir.resolve("missing.creds")), p.get(0));

        p = problems(Map.of(), "nats:\n  nkeyFile: seed.nk\n  user: ar\n  passwordFile: nats.pw\n");
        assertTrue(p.stream().anyMatch(s -> s.contains("more than one NATS authentication method: nats.nkeyFile,"
                + " nats.user/passwordFile")), p.toString());

        p = problems(Map.of(), "nats:\n  user: ar\n");
        assertTrue(p.get(0).startsWith("config.yml:2") && p.get(0).contains("needs a password"), p.toString());

        p = problems(Map.of("AR_NATS_PASSWORD", "x"), "nats:\n  user: ar\n  passwordFile: nats.pw\n");
        assertTrue(p.get(0).contains("not both"), p.toString());

        p = problems(Map.of(), "eventBusURL: nats://ar:pw@127.0.0.1:4222\nnats:\n  nkeyFile: seed.nk\n");
        assertTrue(p.get(0).startsWith("config.yml:1") && p.get(0).contains("carries a user name or password"), p.toString());
        assertFalse(p.get(0).contains("ar:pw"), "the error does not repeat the secret: " + p);

        p = problems(Map.of(), "nats:\n  tls:\n    certFile: nats.pw\n");
        assertTrue(p.get(0).startsWith("config.yml:3") && p.get(0).contains("needs nats.tls.keyFile"), p.toString());

        p = problems(Map.of(), "nats:\n  tls:\n    caFile: nats.pw\n");
        assertTrue(p.get(0).startsWith("config.yml:3") && p.get(0).contains("no PEM certificate"), p.toString());

        p = problems(Map.of(), "nats:\n  tls:\n    cafile: x\n");
        assertTrue(p.get(0).contains("cafile"), p.toString());
    }
}
