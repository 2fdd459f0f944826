package io.ccf.ar.runtime.registry.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** {@code sha256:<64 hex>} content digests, the only algorithm we accept (registries default to it). */
public final class OciDigest {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private OciDigest() {
    }

    public static boolean isDigest(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** Throws IllegalArgumentException unless s is {@code sha256:} and 64 lower-case hex digits. */
    public static String require(String what, String s) {
        if (!isDigest(s)) {
            throw new IllegalArgumentException(what + " \"" + s + "\" is not a digest of the form sha256:<64 lower-case hex digits>");
        }
        return s;
    }

    public static String of(byte[] data) {
        MessageDigest md = newSha256();
        return "sha256:" + HexFormat.of().formatHex(md.digest(data));
    }

    public static String of(MessageDigest finished) {
        return "sha256:" + HexFormat.of().formatHex(finished.digest());
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
