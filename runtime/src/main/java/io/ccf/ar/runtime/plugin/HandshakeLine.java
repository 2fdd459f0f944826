package io.ccf.ar.runtime.plugin;

import java.util.Set;

/**
 * The go-plugin handshake line, {@code CORE|APP|NETWORK|ADDRESS|PROTOCOL[|SERVERCERT[|MUX]]},
 * printed by a plugin as the first line of its stdout.
 */
public record HandshakeLine(int coreVersion, int appVersion, Network network, String address,
                            String protocol, String serverCert) {

    public static final int CORE_PROTOCOL_VERSION = 1;

    /** The transports go-plugin knows. */
    public enum Network { TCP, UNIX }

    /**
     * Parses and checks a handshake line against what this host offers.
     *
     * @param line the first stdout line of the plugin, without the line break
     * @param offeredAppVersions the app protocol versions the host put in PLUGIN_PROTOCOL_VERSIONS
     */
    public static HandshakeLine parse(String line, Set<Integer> offeredAppVersions) throws HandshakeException {
        String trimmed = line.strip();
        String[] parts = trimmed.split("\\|", -1);
        if (parts.length < 4) {
            throw new HandshakeException("unrecognised handshake line (expected CORE|APP|NETWORK|ADDRESS|PROTOCOL): \""
                    + abbreviate(trimmed) + "\"; a plugin must print nothing on stdout before the handshake");
        }
        int core = parseVersion(parts[0], "core protocol version", trimmed);
        if (core != CORE_PROTOCOL_VERSION) {
            throw new HandshakeException("incompatible core protocol version " + core + " (this host speaks "
                    + CORE_PROTOCOL_VERSION + "): \"" + abbreviate(trimmed) + "\"");
        }
        int app = parseVersion(parts[1], "app protocol version", trimmed);
        if (!offeredAppVersions.contains(app)) {
            throw new HandshakeException("plugin chose app protocol version " + app + ", but the host offered "
                    + offeredAppVersions + ": \"" + abbreviate(trimmed) + "\"");
        }
        Network network = switch (parts[2]) {
            case "tcp" -> Network.TCP;
            case "unix" -> Network.UNIX;
            default -> throw new HandshakeException("unknown network \"" + parts[2]
                    + "\" in handshake (expected tcp or unix): \"" + abbreviate(trimmed) + "\"");
        };
        String address = parts[3];
        if (address.isEmpty()) {
            throw new HandshakeException("empty address in handshake: \"" + abbreviate(trimmed) + "\"");
        }
        // go-plugin hosts default a missing protocol field to netrpc; we only speak gRPC.
        String protocol = parts.length > 4 ? parts[4] : "netrpc";
        if (!protocol.equals("grpc")) {
            throw new HandshakeException("plugin speaks protocol \"" + protocol
                    + "\"; this runtime supports only grpc (net/rpc plugins are not supported)");
        }
        String cert = parts.length > 5 ? parts[5] : "";
        return new HandshakeLine(core, app, network, address, protocol, cert);
    }

    private static int parseVersion(String field, String what, String line) throws HandshakeException {
        try {
            return Integer.parseInt(field);
        } catch (NumberFormatException e) {
            throw new HandshakeException("unrecognised handshake line: " + what + " \"" + abbreviate(field)
                    + "\" is not a number: \"" + abbreviate(line) + "\"; a plugin must print nothing on stdout before the handshake");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
