package io.ccf.ar.runtime.messaging;

import java.util.Locale;

import io.nats.client.JetStreamApiException;

/**
 * Which JetStream publish failures are final for that message (it goes to the dead-letter file) and which are
 * worth retrying (it stays in the spool).
 *
 * <p>Final: the stream refuses this message for what it is, so a retry gets the same answer and would block every
 * result behind it: 10054 (message larger than the stream's max_msg_size), 10077 when the stream is at a limit it
 * enforces by refusing new messages (max_msgs, max_bytes, max_msgs_per_subject with discard new), and a message
 * above the server's max_payload (checked before sending: the server would close the connection).
 *
 * <p>Retried: silence or a server that cannot answer now: timeouts, no responders (503, also what a deleted stream
 * looks like; the drainer re-creates it), 10008/10009 (cluster or leader unavailable), 10047 (insufficient
 * resources: server-wide, every message gets it, so waiting in the spool blocks nothing that could go and
 * delivers them all by itself once an operator adds room), 10059 (stream not found), and other 10077 store
 * failures (I/O on the server). Any other API error is an answer we do not know: it is retried
 * {@link #UNKNOWN_ATTEMPTS} times, then the message is treated as final.
 */
enum PublishRejection {
    /** Never accepted as it is: dead-letter it. */
    FINAL,
    /** The stream is missing: create it, then retry. */
    STREAM_MISSING,
    /** An answer we do not know: retry a few times, then dead-letter. */
    UNKNOWN,
    /** Retry (it stays in the spool). */
    TRANSIENT;

    static final int UNKNOWN_ATTEMPTS = 5;

    static final int MESSAGE_TOO_LARGE = 10054;
    static final int STORE_FAILED = 10077;
    static final int INSUFFICIENT_RESOURCES = 10047;
    static final int STREAM_NOT_FOUND = 10059;
    static final int CLUSTER_NOT_AVAILABLE = 10008;
    static final int CLUSTER_NOT_LEADER = 10009;

    static PublishRejection of(Exception e) {
        if (e instanceof IllegalArgumentException) {
            return FINAL; // the client refuses the message itself (size, header)
        }
        if (!(e instanceof JetStreamApiException api)) {
            return TRANSIENT; // I/O, timeout, no responders
        }
        int code = api.getApiErrorCode();
        String text = String.valueOf(api.getErrorDescription()).toLowerCase(Locale.ROOT);
        if (code == MESSAGE_TOO_LARGE) {
            return FINAL;
        }
        if (code == STORE_FAILED) {
            return text.contains("maximum") && text.contains("exceeded") ? FINAL : TRANSIENT;
        }
        if (code == STREAM_NOT_FOUND) {
            return STREAM_MISSING;
        }
        if (code == INSUFFICIENT_RESOURCES || code == CLUSTER_NOT_AVAILABLE || code == CLUSTER_NOT_LEADER
                || api.getErrorCode() == 503 || api.getErrorCode() == 408) {
            return TRANSIENT;
        }
        return UNKNOWN;
    }

    /** The JetStream API error code of {@code e}, or null. */
    static Integer code(Exception e) {
        return e instanceof JetStreamApiException api && api.getApiErrorCode() > 0 ? api.getApiErrorCode() : null;
    }
}
