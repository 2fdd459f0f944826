package io.ccf.ar.runtime.run;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Result ids: what JetStream de-duplicates on ({@code Nats-Msg-Id}) and what a reader downstream recognises a copy by.
 * An id is a hash, never a plugin's string as it is: a subject id may be empty, repeated, contain CR/LF or non-ASCII,
 * or be megabytes long, and none of that may drop or merge results. The id is 32 lower-case hex digits (128 bits of
 * SHA-256) of the length-prefixed parts, so it is a valid header value whatever went in.
 *
 * <ul>
 *   <li>A scheduled run: {@link #forFire} of the fire id ({@code <jobId>@<fireTime>}), the activity, the subject id and
 *       the subject's occurrence among equal ids in Evaluate's answer. Every runtime that runs the same fire gives the
 *       same id to the same result, so copies collapse in JetStream's duplicate window and are recognisable after it.</li>
 *   <li>An ad-hoc run: the same with the run id instead of the fire id (each request is its own run).</li>
 *   <li>A subject a run cut short by shutdown never assessed: {@link #forCancelled}, with this run's id, so the
 *       {@code CANCELLED} placeholder never takes the id of the real result of the runtime that runs the fire again.</li>
 * </ul>
 */
public final class ResultIds {
    private ResultIds() {
    }

    /** The id of the {@code occurrence}-th (from 0) result for {@code subjectId} of {@code activityId} in a fire. */
    public static String forFire(String fireId, String activityId, String subjectId, int occurrence) {
        return hash("fire", fireId, activityId, subjectId, Integer.toString(occurrence));
    }

    /** As {@link #forFire} for a run that is not a scheduled fire (ad-hoc requests, {@code ar run-once}). */
    public static String forRun(String runId, String activityId, String subjectId, int occurrence) {
        return hash("run", runId, activityId, subjectId, Integer.toString(occurrence));
    }

    /** A CANCELLED placeholder's id: unique to this run, never equal to a fire's real result. */
    public static String forCancelled(String runId, String activityId, String subjectId, int occurrence) {
        return hash("cancelled", runId, activityId, subjectId, Integer.toString(occurrence));
    }

    private static String hash(String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
        for (String part : parts) {
            byte[] bytes = (part == null ? "" : part).getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array()); // length-prefixed: no ambiguity
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }
}
