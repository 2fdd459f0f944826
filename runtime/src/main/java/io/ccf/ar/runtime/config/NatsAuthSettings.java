package io.ccf.ar.runtime.config;

import java.nio.file.Path;

/**
 * How the runtime authenticates to NATS and secures the connection: at most one of a credentials file, an nkey
 * seed file, user + password, or a token (nats-server's methods); TLS independently of those. Secrets stay in files
 * or environment variables ({@value #ENV_PASSWORD}, {@value #ENV_TOKEN}); this record holds their sources, and its
 * {@code toString} never prints a secret.
 *
 * @param credentialsFile a {@code .creds} file (user JWT + nkey seed, operator mode), or null
 * @param nkeyFile        a file holding an nkey user seed ({@code SU...}), or null
 * @param user            the user name of user/password authentication, or null
 * @param password        the password (with {@code user}), or null
 * @param token           the token, or null
 * @param tls             TLS settings, or null (TLS only if the server requires it, trusting the JVM's CAs)
 * @param inboxPrefix     the subject prefix of this client's reply inboxes ({@code nats.inboxPrefix}), or null for
 *                        jnats' {@code _INBOX}: with a prefix per NATS user, the server can allow each user its own
 *                        inboxes only, so that no user reads replies meant for another
 */
public record NatsAuthSettings(Path credentialsFile, Path nkeyFile, String user, SecretSource password,
                               SecretSource token, NatsTlsSettings tls, String inboxPrefix) {
    /** The password of {@code nats.user}, when {@code nats.passwordFile} is not set. */
    public static final String ENV_PASSWORD = "AR_NATS_PASSWORD";
    /** The token, when {@code nats.tokenFile} is not set. */
    public static final String ENV_TOKEN = "AR_NATS_TOKEN";

    public static final NatsAuthSettings NONE = new NatsAuthSettings(null, null, null, null, null, null);

    /** Replies to {@code _INBOX} subjects. */
    public NatsAuthSettings(Path credentialsFile, Path nkeyFile, String user, SecretSource password,
                            SecretSource token, NatsTlsSettings tls) {
        this(credentialsFile, nkeyFile, user, password, token, tls, null);
    }

    public enum Method { NONE, CREDENTIALS, NKEY, USER_PASSWORD, TOKEN }

    public NatsAuthSettings {
        int methods = (credentialsFile != null ? 1 : 0) + (nkeyFile != null ? 1 : 0) + (user != null ? 1 : 0)
                + (token != null ? 1 : 0);
        if (methods > 1) {
            throw new IllegalArgumentException("at most one NATS authentication method");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("user and password go together");
        }
        if (inboxPrefix != null && inboxPrefixProblem(inboxPrefix) != null) {
            throw new IllegalArgumentException("inbox prefix \"" + inboxPrefix + "\" " + inboxPrefixProblem(inboxPrefix));
        }
    }

    /**
     * Why {@code prefix} cannot start reply subjects (e.g. "has an empty token"), or null when it can: one or more
     * dot-separated tokens without wildcards or white space.
     */
    public static String inboxPrefixProblem(String prefix) {
        if (prefix.isEmpty()) {
            return "is empty";
        }
        for (String token : prefix.split("\\.", -1)) {
            if (token.isEmpty()) {
                return "has an empty token (a leading, trailing or double dot)";
            }
            if (token.equals("*") || token.equals(">") || token.chars().anyMatch(c -> c == '*' || c == '>' || Character.isWhitespace(c))) {
                return "has a wildcard or white space: it must be a plain subject such as _INBOX_runtime";
            }
        }
        return null;
    }

    public Method method() {
        if (credentialsFile != null) {
            return Method.CREDENTIALS;
        }
        if (nkeyFile != null) {
            return Method.NKEY;
        }
        if (user != null) {
            return Method.USER_PASSWORD;
        }
        return token != null ? Method.TOKEN : Method.NONE;
    }

    /** The setting an authentication failure is about, e.g. {@code nats.passwordFile}; null without authentication. */
    public String credentialSetting() {
        return switch (method()) {
            case CREDENTIALS -> "nats.credentialsFile (" + credentialsFile + ")";
            case NKEY -> "nats.nkeyFile (" + nkeyFile + ")";
            case USER_PASSWORD -> "nats.user \"" + user + "\" with " + password.describe();
            case TOKEN -> token.describe();
            case NONE -> null;
        };
    }

    public NatsAuthSettings withTls(NatsTlsSettings newTls) {
        return new NatsAuthSettings(credentialsFile, nkeyFile, user, password, token, newTls, inboxPrefix);
    }

    public NatsAuthSettings withInboxPrefix(String prefix) {
        return new NatsAuthSettings(credentialsFile, nkeyFile, user, password, token, tls, prefix);
    }
}
