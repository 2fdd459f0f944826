package io.ccf.ar.runtime.config;

import java.util.Objects;

/**
 * The {@code metrics} section: where the daemon serves Prometheus metrics ({@code /metrics}) and its health
 * ({@code /healthz}, {@code /readyz}).
 *
 * @param listen as written ({@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} for every interface); empty: off
 * @param host   the address to bind ({@code 0.0.0.0} for {@code :PORT}); empty when off
 * @param port   0 to 65535 (0: any free port, logged at start); -1 when off
 */
public record MetricsSettings(String listen, String host, int port) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:9464";
    public static final MetricsSettings DEFAULTS = parse(DEFAULT_LISTEN);
    public static final MetricsSettings OFF = new MetricsSettings("", "", -1);
    /** The setting, as error messages name it. */
    public static final String SETTING = "metrics.listen";

    public MetricsSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(host, "host");
    }

    public boolean enabled() {
        return port >= 0;
    }

    /**
     * Reads {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT}; empty (or blank) turns the listener off.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static MetricsSettings parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return OFF;
        }
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not HOST:PORT (e.g. " + DEFAULT_LISTEN
                    + ", 0.0.0.0:9464 or :9464 for every interface; empty turns metrics off)");
        }
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("\"" + text + "\": write an IPv6 address in brackets, e.g. [::1]:9464");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + host + "\" is not a host name or address");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": the port \"" + portText + "\" is not a number");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("\"" + text + "\": the port must be 0 to 65535 (0: any free port)");
        }
        return new MetricsSettings(t, host, port);
    }
}
