package io.ccf.ar.runtime.config;

import java.util.Locale;

/**
 * Counts the nodes a document expands to while it is turned into a {@link ConfigNode} tree. YAML aliases
 * repeat what they point to, so a file of a few hundred bytes can expand to billions of nodes (the
 * "billion laughs"): snakeyaml limits how many aliases a file may have, not what they expand to.
 */
final class NodeBudget {
    /**
     * A config file or plan is a few hundred nodes; a plan listing thousands of subject ids or labels
     * stays far below this. 100,000 nodes are a few megabytes of tree, cheap to build and to refuse.
     */
    static final int MAX_NODES = 100_000;

    /** Thrown once the budget is spent: the conversion stops at once rather than building more. */
    static final class Exceeded extends RuntimeException {
        final Position at;

        Exceeded(Position at) {
            super(null, null, false, false); // control flow, not a failure: no stack trace
            this.at = at;
        }
    }

    private final int limit;
    private int used;

    NodeBudget(int limit) {
        this.limit = limit;
    }

    static NodeBudget standard() {
        return new NodeBudget(MAX_NODES);
    }

    /** Counts one node; {@code at} is where the conversion was when the limit was passed. */
    void spend(Position at) {
        if (++used > limit) {
            throw new Exceeded(at);
        }
    }

    /** "document expands to more than 100,000 nodes (...)": the one message for files and messages alike. */
    String message(boolean throughAliases) {
        return "document expands to more than " + String.format(Locale.ROOT, "%,d", limit) + " nodes"
                + (throughAliases ? " (YAML aliases repeat what they point to; write the values out"
                + " or split the document)" : " (too large for a configuration document)");
    }
}
