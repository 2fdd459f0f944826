package io.ccf.ar.sdk.testing;

import io.ccf.ar.sdk.internal.Handshake;

/**
 * The plugin's go-plugin handshake line, {@code CORE|APP|NETWORK|ADDRESS|grpc[|SERVERCERT]}, checked
 * against what the harness offered (core 1, app protocol 1, gRPC).
 *
 * @param network {@code tcp} or {@code unix}
 * @param address {@code host:port} or the socket's path
 * @param serverCert the plugin's DER certificate in base64 (auto-mTLS), or empty
 */
record HandshakeReply(String network, String address, String serverCert) {
    /** The only app protocol version the harness offers (PLUGIN_PROTOCOL_VERSIONS). */
    static final int APP_PROTOCOL_VERSION = 1;

    /**
     * @throws IllegalArgumentException saying what is wrong with the line
     */
    static HandshakeReply parse(String line) {
        String[] f = line.strip().split("\\|", -1);
        if (f.length < 5) {
            throw bad(line, "expected CORE|APP|NETWORK|ADDRESS|grpc; a plugin must print nothing on stdout"
                    + " before its handshake");
        }
        if (!f[0].equals(Integer.toString(Handshake.CORE_PROTOCOL_VERSION))) {
            throw bad(line, "core protocol version " + f[0] + ", expected " + Handshake.CORE_PROTOCOL_VERSION);
        }
        if (!f[1].equals(Integer.toString(APP_PROTOCOL_VERSION))) {
            throw bad(line, "app protocol version " + f[1] + ", but the harness offered " + APP_PROTOCOL_VERSION);
        }
        if (!f[2].equals("tcp") && !f[2].equals("unix")) {
            throw bad(line, "unknown network " + f[2] + " (expected tcp or unix)");
        }
        if (f[3].isEmpty()) {
            throw bad(line, "empty address");
        }
        if (!f[4].equals("grpc")) {
            throw bad(line, "protocol " + f[4] + "; only grpc is supported (not net/rpc)");
        }
        return new HandshakeReply(f[2], f[3], f.length > 5 ? f[5] : "");
    }

    private static IllegalArgumentException bad(String line, String why) {
        String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
        return new IllegalArgumentException("unusable handshake line \"" + shown + "\": " + why);
    }
}
