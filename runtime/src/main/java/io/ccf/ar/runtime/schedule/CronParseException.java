package io.ccf.ar.runtime.schedule;

/**
 * A cron expression that robfig/cron would also reject. The message names the expression and what is wrong,
 * e.g. {@code invalid cron expression "0 0 0 1 13 *": month field: value 13 out of range 1-12}.
 */
public final class CronParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String expression;
    private final String problem;

    CronParseException(String expression, String problem) {
        super("invalid cron expression \"" + expression + "\": " + problem);
        this.expression = expression;
        this.problem = problem;
    }

    /** The rejected expression, as given. */
    public String expression() {
        return expression;
    }

    /** What is wrong with it, without the expression, e.g. {@code month field: value 13 out of range 1-12}. */
    public String problem() {
        return problem;
    }
}
