package io.ccf.ar.runtime.fleet;

/** The NATS subjects of the fleet view. */
public final class FleetSubjects {
    /** Request-reply: every runtime answers with its status (no queue group). */
    public static final String STATUS = "runtime.status";
    /** Heartbeats: {@code runtime.heartbeat.<runtimeId>}. */
    public static final String HEARTBEAT_PREFIX = "runtime.heartbeat.";

    private FleetSubjects() {
    }

    /**
     * The heartbeat subject of a runtime. A subject token cannot hold '.', '*', '>' or whitespace, so every
     * character other than letters, digits, '-' and '_' becomes '_' (the document carries the id as configured).
     */
    public static String heartbeat(String runtimeId) {
        StringBuilder token = new StringBuilder(runtimeId.length());
        for (int i = 0; i < runtimeId.length(); i++) {
            char c = runtimeId.charAt(i);
            token.append(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_') ? c : '_');
        }
        return HEARTBEAT_PREFIX + (token.length() == 0 ? "_" : token);
    }
}
