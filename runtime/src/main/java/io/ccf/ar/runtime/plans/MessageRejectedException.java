package io.ccf.ar.runtime.plans;

/**
 * A NATS message that cannot be used (not JSON, wrong shape, invalid plan). Carries what could be
 * read of it, so the one log line about it still names the event type and plan.
 */
public final class MessageRejectedException extends RuntimeException {
    private final String eventType;
    private final String planId;

    public MessageRejectedException(String eventType, String planId, String reason) {
        super(reason);
        this.eventType = eventType;
        this.planId = planId;
    }

    public MessageRejectedException(String reason) {
        this("", "", reason);
    }

    /** The event's "type" if it had one, else "". */
    public String eventType() {
        return eventType;
    }

    /** The plan id if one could be read, else "". */
    public String planId() {
        return planId;
    }
}
