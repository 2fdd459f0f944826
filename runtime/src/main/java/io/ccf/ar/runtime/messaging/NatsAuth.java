package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.ccf.ar.runtime.config.NatsAuthSettings;
import io.ccf.ar.runtime.config.NatsTlsSettings;
import io.ccf.ar.runtime.config.SecretSource;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * Puts the {@code nats:} authentication and TLS settings on a jnats {@link Options.Builder} (the daemon and the CLI
 * use this one place), and turns a failed connect into one sentence naming the setting to fix.
 *
 * <p>Credentials and nkey files are read at every connect (jnats asks the auth handler each time), so a rotated file
 * is picked up on the next reconnect, and a file gone missing gives an error naming the setting. Passwords and tokens
 * are read once, when the options are built. TLS: the server's certificate must chain to {@code tls.caFile} (else the
 * JVM's CAs) and, unlike jnats' own default, carry the host name ({@code tls.serverName}, else the URL's host) as a
 * subject alternative name.
 */
public final class NatsAuth {
    private NatsAuth() {
    }

    /** Adds the settings to {@code builder}; an {@link IllegalStateException} naming the setting if one is unusable. */
    public static Options.Builder apply(Options.Builder builder, NatsAuthSettings auth) {
        switch (auth.method()) {
            case CREDENTIALS -> builder.authHandler(new SettingAuthHandler("nats.credentialsFile", auth.credentialsFile(),
                    Nats.credentials(auth.credentialsFile().toString())));
            case NKEY -> builder.authHandler(new SettingAuthHandler("nats.nkeyFile", auth.nkeyFile(), null));
            case USER_PASSWORD -> builder.userInfo(auth.user().toCharArray(), read(auth.password()));
            case TOKEN -> builder.token(read(auth.token()));
            case NONE -> {
                // the URL's user-info, if any, or no authentication
            }
        }
        if (auth.tls() != null) {
            builder.sslContext(sslContext(auth.tls()));
        }
        if (auth.inboxPrefix() != null) {
            builder.inboxPrefix(auth.inboxPrefix()); // every reply inbox: requests, JetStream API, pulls, publish acks
        }
        return builder;
    }

    private static char[] read(SecretSource secret) {
        try {
            char[] value = secret.read();
            if (value.length == 0) {
                throw new IllegalStateException(secret.describe() + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + secret.describe() + ": " + e, e);
        }
    }

    /**
     * One sentence for a failed connect that is about authentication or TLS, naming the setting; null when the
     * failure is something else (server down, network).
     */
    public static String describeFailure(NatsAuthSettings auth, String url, Throwable failure) {
        StringBuilder all = new StringBuilder();
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
            tls |= t instanceof javax.net.ssl.SSLException || t instanceof CertificateException;
        }
        return describe(auth, url, all.toString(), tls);
    }

    /** As {@link #describeFailure(NatsAuthSettings, String, Throwable)}, for an error text from the server. */
    public static String describeError(NatsAuthSettings auth, String url, String error) {
        return describe(auth, url, error == null ? "" : error, false);
    }

    private static String describe(NatsAuthSettings auth, String url, String text, boolean tlsException) {
        String where = "NATS at " + Redaction.url(url);
        String lower = text.toLowerCase(Locale.ROOT);
        String reason = Redaction.text(text.trim());
        if (lower.contains("cannot read nats.") || lower.contains("nats.nkeyfile") || lower.contains("nats.credentialsfile (")) {
            return where + ": " + firstSentenceWith(reason, "nats.");
        }
        if (lower.contains("authorization violation") || lower.contains("authentication") || lower.contains("user authentication expired")
                || lower.contains("account authentication")) {
            String detail = lower.contains("authorization violation") ? "Authorization Violation" : reason;
            String setting = auth.credentialSetting();
            return setting == null
                    ? where + " requires authentication (" + detail + "): set nats.credentialsFile, nats.nkeyFile,"
                            + " nats.user with nats.passwordFile, or nats.tokenFile"
                    : where + " refused the credentials of " + setting + " (" + detail + ")";
        }
        NatsTlsSettings tls = auth.tls();
        if (lower.contains("not valid for") && lower.contains("certificate")) {
            return where + ": " + firstSentenceWith(reason, "not valid for");
        }
        if (lower.contains("pkix") || lower.contains("unable to find valid certification path")
                || lower.contains("signature check failed") || lower.contains("certpathvalidator")) {
            return where + ": its TLS certificate is not trusted by " + (tls == null || tls.caFile() == null
                    ? "the JVM's CAs (set nats.tls.caFile to the CA that signed it)"
                    : "nats.tls.caFile (" + tls.caFile() + ")") + " (" + shortReason(reason) + ")";
        }
        if (lower.contains("bad_certificate") || lower.contains("certificate_required") || lower.contains("unknown_ca")
                || lower.contains("certificate_unknown")) {
            return where + " refused the TLS client certificate " + (tls == null || tls.certFile() == null
                    ? "(none given: set nats.tls.certFile and nats.tls.keyFile)"
                    : "of nats.tls.certFile (" + tls.certFile() + ")") + " (" + shortReason(reason) + ")";
        }
        if (lower.contains("tls required") || lower.contains("ssl required") || lower.contains("ssl connection wanted")
                || lower.contains("tls is required")) {
            return where + ": TLS settings do not fit the server (" + shortReason(reason) + "); see nats.tls";
        }
        if (tlsException) {
            return where + ": the TLS handshake failed (" + shortReason(reason) + "); check nats.tls";
        }
        return null;
    }

    /** From "cannot read nats." (or else "nats.") on: what our auth handler said, without jnats' prefix. */
    private static String firstSentenceWith(String text, String marker) {
        int i = text.indexOf("cannot read nats.");
        if (i < 0) {
            i = text.indexOf(marker);
        }
        String rest = text.substring(Math.max(0, i)).trim();
        int dup = rest.indexOf(' ' + rest.substring(0, Math.min(20, rest.length())), 1);
        return dup > 0 ? rest.substring(0, dup).trim() : rest; // the cause chain repeats the message
    }

    private static String shortReason(String reason) {
        String r = reason.replaceAll("\\s+", " ").trim();
        return r.length() > 300 ? r.substring(0, 300) + "..." : r;
    }

    static SSLContext sslContext(NatsTlsSettings tls) {
        try {
            KeyManager[] keyManagers = null;
            if (tls.certFile() != null) {
                List<X509Certificate> chain = Pem.certificates(tls.certFile());
                PrivateKey key = Pem.privateKey(tls.keyFile());
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                char[] pass = "ar".toCharArray();
                store.setKeyEntry("client", key, pass, chain.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, pass);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.caFile() != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate ca : Pem.certificates(tls.caFile())) {
                    trust.setCertificateEntry("ca" + i++, ca);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            List<TrustManager> trustManagers = new ArrayList<>();
            for (TrustManager tm : tmf.getTrustManagers()) {
                trustManagers.add(tm instanceof X509ExtendedTrustManager x ? new HostCheckingTrustManager(x, tls.serverName()) : tm);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers.toArray(new TrustManager[0]), null);
            return context;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("nats.tls: " + e.getMessage(), e);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("nats.tls: cannot set up TLS: " + e, e);
        }
    }

    /**
     * An auth handler that says which setting a problem is about: wraps jnats' credentials-file handler, or (without
     * a delegate) signs with the nkey seed in {@code file}. Both read the file at each connect.
     */
    private static final class SettingAuthHandler implements AuthHandler {
        private final String setting;
        private final Path file;
        private final AuthHandler delegate;

        SettingAuthHandler(String setting, Path file, AuthHandler delegate) {
            this.setting = setting;
            this.file = file;
            this.delegate = delegate;
        }

        private void checkReadable() {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("cannot read " + setting + " (" + file + "): "
                        + (Files.exists(file) ? "not readable" : "file not found"));
            }
        }

        private NKey seed() {
            checkReadable();
            try {
                String text = Files.readString(file).trim();
                try {
                    NKey key = NKey.fromSeed(text.toCharArray());
                    if (key.getType() != NKey.Type.USER) {
                        throw new IllegalStateException(setting + " (" + file + ") holds an nkey seed of type "
                                + key.getType() + "; a user seed (SU...) is needed");
                    }
                    return key;
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(setting + " (" + file + ") does not hold an nkey seed (SU...)");
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + setting + " (" + file + "): " + e, e);
            }
        }

        @Override
        public byte[] sign(byte[] nonce) {
            if (delegate != null) {
                checkReadable();
                return delegate.sign(nonce);
            }
            NKey key = seed();
            try {
                return key.sign(nonce);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot sign with " + setting + " (" + file + "): " + e, e);
            } finally {
                key.clear();
            }
        }

        @Override
        public char[] getID() {
            if (delegate != null) {
                checkReadable();
                return delegate.getID();
            }
            NKey key = seed();
            try {
                return key.getPublicKey();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot read the public key of " + setting + " (" + file + "): " + e, e);
            } finally {
                key.clear();
            }
        }

        @Override
        public char[] getJWT() {
            if (delegate != null) {
                checkReadable();
                return delegate.getJWT();
            }
            return null;
        }
    }

    /**
     * The JDK's trust check plus a host name check (jnats does none): the leaf certificate must carry
     * {@code serverName} (else the host the socket connected to) as a DNS or IP subject alternative name.
     */
    static final class HostCheckingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final String serverName;

        HostCheckingTrustManager(X509ExtendedTrustManager delegate, String serverName) {
            this.delegate = delegate;
            this.serverName = serverName;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
            String host = serverName;
            if (host == null) {
                host = socket instanceof SSLSocket s && s.getHandshakeSession() != null && s.getHandshakeSession().getPeerHost() != null
                        ? s.getHandshakeSession().getPeerHost()
                        : socket.getInetAddress().getHostAddress();
            }
            checkHost(chain[0], host);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
            checkHost(chain[0], serverName != null ? serverName : engine.getPeerHost());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
            if (serverName != null) {
                checkHost(chain[0], serverName);
            }
        }

        private void checkHost(X509Certificate leaf, String host) throws CertificateException {
            if (host == null) {
                throw new CertificateException("no host name to check the NATS server's certificate against: set nats.tls.serverName");
            }
            List<String> names = new ArrayList<>();
            boolean ip = isIpLiteral(host);
            try {
                Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
                if (sans != null) {
                    for (List<?> san : sans) {
                        int type = (Integer) san.get(0);
                        String value = String.valueOf(san.get(1));
                        if (type == 2 || type == 7) {
                            names.add(value);
                        }
                        if (type == 7 && ip && sameAddress(value, host)) {
                            return;
                        }
                        if (type == 2 && !ip && dnsMatches(value, host)) {
                            return;
                        }
                    }
                }
            } catch (CertificateParsingException e) {
                throw new CertificateException("cannot read the subject alternative names of the NATS server's certificate", e);
            }
            throw new CertificateException("the NATS server's certificate is not valid for \"" + host + "\" (it names "
                    + (names.isEmpty() ? "no DNS or IP subject alternative name" : names) + ")"
                    + (serverName != null ? "; nats.tls.serverName says \"" + serverName + "\""
                            : "; set nats.tls.serverName to a name it carries"));
        }

        private static boolean isIpLiteral(String host) {
            return host.matches("[0-9.]+") || host.contains(":");
        }

        private static boolean sameAddress(String a, String b) {
            try {
                return Arrays.equals(InetAddress.getByName(a).getAddress(), InetAddress.getByName(b).getAddress());
            } catch (IOException e) {
                return false;
            }
        }

        private static boolean dnsMatches(String pattern, String host) {
            String p = pattern.toLowerCase(Locale.ROOT);
            String h = host.toLowerCase(Locale.ROOT);
            if (p.startsWith("*.")) {
                int dot = h.indexOf('.');
                return dot > 0 && h.substring(dot).equals(p.substring(1));
            }
            return p.equals(h);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
