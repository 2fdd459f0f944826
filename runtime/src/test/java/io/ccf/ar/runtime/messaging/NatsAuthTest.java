package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ccf.ar.runtime.config.NatsAuthSettings;
import io.ccf.ar.runtime.config.NatsTlsSettings;
import io.ccf.ar.runtime.config.SecretSource;
import io.ccf.ar.runtime.testing.NatsJwts;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.TestPki;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.NKey;
import io.nats.client.Subscription;

/**
 * Every authentication method nats-server offers, and TLS with a client certificate, against real nats-server
 * processes configured for each; wrong credentials and untrusted certificates give one error naming the setting.
 */
class NatsAuthTest {
    private static final String PASSWORD = "pw-Very-Secret-42";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logged);
        if (nats != null) {
            nats.close();
        }
    }

    private List<String> lines(Level atLeast) {
        synchronized (logged.list) {
            return logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast))
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage() + " " + e.getKeyValuePairs()).toList();
        }
    }

    private static NatsAuthSettings userPassword(Path passwordFile) {
        return new NatsAuthSettings(null, null, "ar", SecretSource.file("nats.passwordFile", passwordFile), null, null);
    }

    /** Connects with {@code auth} and proves the connection works with a request/reply round trip through the server. */
    private void assertWorks(NatsAuthSettings auth) throws Exception {
        try (NatsLink link = NatsConnections.connect(nats.url(), "rt-auth", TIMEOUT, Duration.ofMillis(500), auth)) {
            Connection c = link.connection().orElseThrow();
            Subscription sub = c.subscribe("auth.check");
            c.publish("auth.check", "hello".getBytes(StandardCharsets.UTF_8));
            Message m = sub.nextMessage(TIMEOUT);
            assertNotNull(m, "the message came back through the server");
            assertEquals("hello", new String(m.getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void userAndPasswordFromAFile() throws Exception {
        nats = NatsServerFixture.start(dir, "authorization { user: ar, password: \"" + PASSWORD + "\" }");
        Path pw = Files.writeString(dir.resolve("nats.pw"), PASSWORD + "\n");
        assertWorks(userPassword(pw));

        Path wrong = Files.writeString(dir.resolve("wrong.pw"), "not-the-password");
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class,
                () -> NatsConnections.connect(nats.url(), "rt-auth", TIMEOUT, Duration.ofMillis(500), userPassword(wrong)));
        assertTrue(e.getMessage().contains("refused the credentials of nats.user \"ar\" with nats.passwordFile (" + wrong + ")")
                && e.getMessage().contains("Authorization Violation"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());

        // no credentials at all: the error says which settings exist
        e = assertThrows(NatsUnavailableException.class,
                () -> NatsConnections.connect(nats.url(), "rt-auth", TIMEOUT, Duration.ofMillis(500), NatsAuthSettings.NONE));
        assertTrue(e.getMessage().contains("requires authentication"), e.getMessage());
    }

    @Test
    void tokenFromTheEnvironment() throws Exception {
        nats = NatsServerFixture.start(dir, "authorization { token: \"tok-" + PASSWORD + "\" }");
        assertWorks(new NatsAuthSettings(null, null, null, null,
                SecretSource.environment(NatsAuthSettings.ENV_TOKEN, "tok-" + PASSWORD), null));
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(),
                "rt-auth", TIMEOUT, Duration.ofMillis(500), new NatsAuthSettings(null, null, null, null,
                        SecretSource.environment(NatsAuthSettings.ENV_TOKEN, "tok-wrong"), null)));
        assertTrue(e.getMessage().contains("refused the credentials of environment variable AR_NATS_TOKEN"), e.getMessage());
    }

    @Test
    void nkeySeedFile() throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        nats = NatsServerFixture.start(dir, "authorization { users: [ { nkey: " + new String(user.getPublicKey()) + " } ] }");
        Path seed = Files.writeString(dir.resolve("user.nk"), new String(user.getSeed()) + "\n");
        assertWorks(new NatsAuthSettings(null, seed, null, null, null, null));

        Path other = Files.writeString(dir.resolve("other.nk"), new String(NKey.createUser(new SecureRandom()).getSeed()));
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(),
                "rt-auth", TIMEOUT, Duration.ofMillis(500), new NatsAuthSettings(null, other, null, null, null, null)));
        assertTrue(e.getMessage().contains("refused the credentials of nats.nkeyFile (" + other + ")"), e.getMessage());
    }

    @Test
    void credsFileAgainstAnOperatorModeServer() throws Exception {
        NatsJwts jwts = NatsJwts.issue();
        nats = NatsServerFixture.start(dir, false, jwts.serverConfig());
        Path creds = jwts.writeCreds(dir.resolve("ar.creds"));
        NatsAuthSettings auth = new NatsAuthSettings(creds, null, null, null, null, null);
        assertWorks(auth);

        // a user the operator's account did not sign
        NatsJwts strangers = NatsJwts.issue();
        Path foreign = strangers.writeCreds(dir.resolve("foreign.creds"));
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(),
                "rt-auth", TIMEOUT, Duration.ofMillis(500), new NatsAuthSettings(foreign, null, null, null, null, null)));
        assertTrue(e.getMessage().contains("refused the credentials of nats.credentialsFile (" + foreign + ")"), e.getMessage());

        // the file is gone at run time: the error names the setting, the link keeps trying
        Files.delete(creds);
        try (NatsLink link = NatsConnections.connectInBackground(nats.url(), "rt-auth", TIMEOUT, Duration.ofMillis(200), auth)) {
            awaitTrue(Duration.ofSeconds(10), "an ERROR naming nats.credentialsFile", () -> lines(Level.ERROR).stream()
                    .anyMatch(l -> l.contains("NATS at " + nats.url() + ": cannot read nats.credentialsFile (" + creds
                            + "): file not found;")));
            assertFalse(link.isConnected());
            jwts.writeCreds(creds);
            assertTrue(link.awaitConnection(Duration.ofSeconds(10)).isPresent(), "connects once the file is back");
        }
        assertEquals(1, lines(Level.ERROR).size(), lines(Level.ERROR).toString());
        assertEquals(0, lines(Level.WARN).size() - 1, "no WARN besides the ERROR: " + lines(Level.WARN));
    }

    @Test
    void mutualTlsWithCertificatesMadeByTheTest() throws Exception {
        TestPki pki = TestPki.create(dir, "pki");
        Path[] server = pki.issue("server", "IP:127.0.0.1,DNS:nats.test", false);
        Path[] client = pki.issue("client", "DNS:ar-runtime", true);
        nats = NatsServerFixture.start(dir, "tls { cert_file: \"" + server[0] + "\", key_file: \"" + server[1]
                + "\", ca_file: \"" + pki.caCert() + "\", verify: true, timeout: 5 }");
        NatsTlsSettings tls = new NatsTlsSettings(pki.caCert(), client[0], client[1], null);
        assertWorks(NatsAuthSettings.NONE.withTls(tls));
        assertWorks(NatsAuthSettings.NONE.withTls(new NatsTlsSettings(pki.caCert(), client[0], client[1], "nats.test")));

        // a server certificate from a CA the runtime does not trust
        TestPki other = TestPki.create(dir, "other");
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(),
                "rt-auth", TIMEOUT, Duration.ofMillis(500),
                NatsAuthSettings.NONE.withTls(new NatsTlsSettings(other.caCert(), client[0], client[1], null))));
        assertTrue(e.getMessage().contains("its TLS certificate is not trusted by nats.tls.caFile (" + other.caCert() + ")"),
                e.getMessage());

        // trusted, but not issued for the name the runtime expects
        e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(), "rt-auth", TIMEOUT,
                Duration.ofMillis(500), NatsAuthSettings.NONE.withTls(new NatsTlsSettings(pki.caCert(), client[0], client[1],
                        "elsewhere.test"))));
        assertTrue(e.getMessage().contains("not valid for \"elsewhere.test\""), e.getMessage());

        // no client certificate: the server refuses
        e = assertThrows(NatsUnavailableException.class, () -> NatsConnections.connect(nats.url(), "rt-auth", TIMEOUT,
                Duration.ofMillis(500), NatsAuthSettings.NONE.withTls(new NatsTlsSettings(pki.caCert(), null, null, null))));
        assertTrue(e.getMessage().contains("NATS at " + nats.url()), e.getMessage());
    }

    @Test
    void wrongPasswordInTheBackgroundIsOneErrorNamingTheSettingAndTheLinkKeepsTrying() throws Exception {
        nats = NatsServerFixture.start(dir, "authorization { user: ar, password: \"" + PASSWORD + "\" }");
        Path pw = Files.writeString(dir.resolve("nats.pw"), "wrong-" + PASSWORD);
        // jnats waits out the attempt's timeout after a refusal, so attempts are a second apart here
        try (NatsLink link = NatsConnections.connectInBackground(nats.url(), "rt-auth", Duration.ofSeconds(1),
                Duration.ofMillis(100), userPassword(pw))) {
            awaitTrue(Duration.ofSeconds(10), "an ERROR naming nats.passwordFile", () -> lines(Level.ERROR).stream()
                    .anyMatch(l -> l.contains("NATS at " + nats.url() + " refused the credentials of nats.user \"ar\" with"
                            + " nats.passwordFile (" + pw + ") (Authorization Violation)")));
            awaitTrue(Duration.ofSeconds(30), "it keeps trying", () -> link.failedAttempts() >= 3);
            assertFalse(link.isConnected());
        }
        List<String> errors = lines(Level.ERROR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(lines(Level.TRACE).stream().noneMatch(l -> l.contains(PASSWORD)), "the password is never logged");
    }

    @Test
    void redactionRemovesUserInfoFromUrls() {
        assertEquals("nats://***@127.0.0.1:4222", Redaction.url("nats://ar:s3cret@127.0.0.1:4222"));
        assertEquals("nats://***@a:1,nats://***@b:2,nats://c:3",
                Redaction.url("nats://u:p@a:1,nats://tok@b:2,nats://c:3"));
        assertEquals("tls://***@h:4222/x", Redaction.url("tls://u:p@ss@h:4222/x"));
        assertEquals("nats://h:4222", Redaction.url("nats://h:4222"));
        assertEquals("cannot connect to [nats://***@h:1] (x@y)", Redaction.text("cannot connect to [nats://u:p@h:1] (x@y)"));
    }
}
