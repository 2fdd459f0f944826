package io.ccf.ar.runtime.messaging;

import java.util.regex.Pattern;

/**
 * Removes secrets from what the runtime logs or puts into an error: the user-info of URLs
 * ({@code nats://user:secret@host} becomes {@code nats://***@host}; a token URL {@code nats://token@host} too).
 * Every log line and message that names a NATS URL goes through {@link #url}; text that may quote a URL (an
 * exception message from jnats) goes through {@link #text}.
 */
public final class Redaction {
    /** scheme://userinfo@ : userinfo is everything up to the last '@' before the host's end. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s/?#,@]*(?:@[^\\s/?#,@]*)*@");

    private Redaction() {
    }

    /** The URL (or comma-separated URLs) without user-info; null stays null. */
    public static String url(String url) {
        return text(url);
    }

    /** The text with the user-info of every URL in it replaced by {@code ***}; null stays null. */
    public static String text(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
