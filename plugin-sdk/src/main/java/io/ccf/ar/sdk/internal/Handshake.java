package io.ccf.ar.sdk.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** go-plugin handshake constants, version negotiation and the handshake line. */
public final class Handshake {
    /** go-plugin's core protocol version. */
    public static final int CORE_PROTOCOL_VERSION = 1;
    /** The magic cookie's environment variable. */
    public static final String COOKIE_KEY = "AR_PLUGIN";
    /** The magic cookie's value. */
    public static final String COOKIE_VALUE = "048cc450-6be2-4fa2-b760-8d4d0b63b534";

    private Handshake() {
    }

    /** Thrown when the host and the plugin share no app protocol version. */
    public static final class NoCommonVersionException extends Exception {
        NoCommonVersionException(String message) {
            super(message);
        }
    }

    /**
     * Picks the highest app protocol version that both sides support.
     *
     * @param ours the plugin's versions (non-empty)
     * @param hostList {@code PLUGIN_PROTOCOL_VERSIONS}: comma-separated versions
     *     the host accepts. Missing or blank means a legacy host that sent no
     *     list; then, like go-plugin, the plugin serves its lowest version and
     *     leaves the host to judge. Unparsable entries are ignored.
     * @return the version to announce
     * @throws NoCommonVersionException if the host's list shares no version with ours
     */
    public static int negotiate(int[] ours, String hostList) throws NoCommonVersionException {
        int[] sorted = ours.clone();
        Arrays.sort(sorted);
        if (hostList == null || hostList.isBlank()) {
            return sorted[0];
        }
        List<Integer> host = new ArrayList<>();
        for (String part : hostList.split(",")) {
            try {
                host.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                // ignored, as go-plugin does
            }
        }
        for (int i = sorted.length - 1; i >= 0; i--) {
            if (host.contains(sorted[i])) {
                return sorted[i];
            }
        }
        throw new NoCommonVersionException("incompatible plugin protocol: the runtime accepts app protocol versions "
                + hostList.strip() + " (PLUGIN_PROTOCOL_VERSIONS) but this plugin speaks "
                + Arrays.toString(sorted) + "; use a plugin and a runtime with a version in common");
    }

    /** The handshake line, newline included: {@code 1|APP|NETWORK|ADDRESS|grpc|}. */
    public static String line(int appVersion, String network, String address) {
        return line(appVersion, network, address, "");
    }

    /**
     * The handshake line with field 6, newline included: {@code 1|APP|NETWORK|ADDRESS|grpc|SERVERCERT}
     * ({@code serverCert} empty without auto-mTLS).
     */
    public static String line(int appVersion, String network, String address, String serverCert) {
        return CORE_PROTOCOL_VERSION + "|" + appVersion + "|" + network + "|" + address + "|grpc|" + serverCert + "\n";
    }
}
