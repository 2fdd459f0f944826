package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ccf.ar.runtime.config.NatsAuthSettings;
import io.ccf.ar.runtime.config.NatsTlsSettings;
import io.ccf.ar.runtime.config.SecretSource;
import io.ccf.ar.runtime.messaging.NatsAuth;
import io.ccf.ar.runtime.messaging.NatsConnections;
import io.ccf.ar.runtime.messaging.Redaction;
import io.nats.client.Connection;
import io.nats.client.Nats;
import picocli.CommandLine.Option;

/**
 * Which NATS server a client command talks to, and how it authenticates: the same methods as the daemon's
 * {@code nats:} settings (one of them), secrets from files or {@code AR_NATS_PASSWORD} / {@code AR_NATS_TOKEN}.
 */
final class NatsOptions {
    static final String DEFAULT_URL = "nats://127.0.0.1:4222";

    @Option(names = "--nats", paramLabel = "URL",
            description = "NATS server. Default: $AR_EVENT_BUS_URL, else " + DEFAULT_URL + ".")
    String url;

    @Option(names = "--nats-creds", paramLabel = "FILE", description = "NATS credentials file (.creds: user JWT + nkey seed), as nats.credentialsFile.")
    Path credentialsFile;

    @Option(names = "--nats-nkey", paramLabel = "FILE", description = "File holding an nkey user seed (SU...), as nats.nkeyFile.")
    Path nkeyFile;

    @Option(names = "--nats-user", paramLabel = "USER", description = "NATS user; the password from --nats-password-file or $AR_NATS_PASSWORD.")
    String user;

    @Option(names = "--nats-password-file", paramLabel = "FILE", description = "File holding the password of --nats-user.")
    Path passwordFile;

    @Option(names = "--nats-token-file", paramLabel = "FILE", description = "File holding the NATS token (else $AR_NATS_TOKEN).")
    Path tokenFile;

    @Option(names = "--nats-ca", paramLabel = "FILE", description = "PEM CA certificate(s) the server's certificate must chain to.")
    Path caFile;

    @Option(names = "--nats-cert", paramLabel = "FILE", description = "PEM client certificate (mutual TLS), with --nats-key.")
    Path certFile;

    @Option(names = "--nats-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --nats-cert.")
    Path keyFile;

    @Option(names = "--nats-server-name", paramLabel = "NAME", description = "The name the server's certificate must carry (default: the URL's host).")
    String serverName;

    @Option(names = "--nats-inbox-prefix", paramLabel = "PREFIX",
            description = "Subject prefix of the reply inboxes (default _INBOX), as nats.inboxPrefix: the one the server allows this user.")
    String inboxPrefix;

    String url(Map<String, String> env) {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String fromEnv = env.get("AR_EVENT_BUS_URL");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv;
    }

    /** The authentication settings of these options and {@code env}; an IllegalArgumentException naming the option. */
    NatsAuthSettings auth(Map<String, String> env) {
        readable("--nats-creds", credentialsFile);
        readable("--nats-nkey", nkeyFile);
        readable("--nats-password-file", passwordFile);
        readable("--nats-token-file", tokenFile);
        readable("--nats-ca", caFile);
        readable("--nats-cert", certFile);
        readable("--nats-key", keyFile);
        String passwordEnv = env.get(NatsAuthSettings.ENV_PASSWORD);
        String tokenEnv = env.get(NatsAuthSettings.ENV_TOKEN);
        SecretSource password = passwordFile != null ? SecretSource.file("--nats-password-file", passwordFile)
                : passwordEnv != null && !passwordEnv.isEmpty() && user != null
                        ? SecretSource.environment(NatsAuthSettings.ENV_PASSWORD, passwordEnv) : null;
        SecretSource token = tokenFile != null ? SecretSource.file("--nats-token-file", tokenFile)
                : tokenEnv != null && !tokenEnv.isEmpty() ? SecretSource.environment(NatsAuthSettings.ENV_TOKEN, tokenEnv) : null;
        if (user != null && password == null) {
            throw new IllegalArgumentException("--nats-user needs --nats-password-file or $" + NatsAuthSettings.ENV_PASSWORD);
        }
        if (user == null && passwordFile != null) {
            throw new IllegalArgumentException("--nats-password-file needs --nats-user");
        }
        List<String> methods = new ArrayList<>();
        if (credentialsFile != null) {
            methods.add("--nats-creds");
        }
        if (nkeyFile != null) {
            methods.add("--nats-nkey");
        }
        if (user != null) {
            methods.add("--nats-user");
        }
        if (token != null) {
            methods.add(tokenFile != null ? "--nats-token-file" : "$" + NatsAuthSettings.ENV_TOKEN);
        }
        if (methods.size() > 1) {
            throw new IllegalArgumentException("more than one NATS authentication method: " + String.join(", ", methods) + " (give one)");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--nats-cert and --nats-key go together");
        }
        NatsTlsSettings tls = caFile == null && certFile == null && serverName == null ? null
                : new NatsTlsSettings(abs(caFile), abs(certFile), abs(keyFile), serverName);
        if (inboxPrefix != null && NatsAuthSettings.inboxPrefixProblem(inboxPrefix) != null) {
            throw new IllegalArgumentException("--nats-inbox-prefix \"" + inboxPrefix + "\" " + NatsAuthSettings.inboxPrefixProblem(inboxPrefix));
        }
        return new NatsAuthSettings(abs(credentialsFile), abs(nkeyFile), user, password, token, tls, inboxPrefix);
    }

    private static Path abs(Path p) {
        return p == null ? null : p.toAbsolutePath();
    }

    private static void readable(String option, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": " + (Files.exists(file) ? "not a readable file: " : "file not found: ")
                    + file.toAbsolutePath());
        }
    }

    Connection connect(Map<String, String> env) throws IOException, InterruptedException {
        String server = url(env);
        NatsAuthSettings auth = auth(env);
        try {
            return Nats.connect(NatsConnections.clientOptions(server, "ar-cli", Duration.ofSeconds(5), auth));
        } catch (IOException | RuntimeException e) {
            String described = NatsAuth.describeFailure(auth, server, e);
            if (described != null) {
                throw new IOException(described, e);
            }
            throw new IOException("cannot connect to NATS at " + Redaction.url(server) + ": " + Redaction.text(e.getMessage())
                    + " (is nats-server running? `make run-local` starts one)", e);
        }
    }
}
