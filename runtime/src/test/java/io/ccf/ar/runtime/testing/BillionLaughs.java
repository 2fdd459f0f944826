package io.ccf.ar.runtime.testing;

/**
 * "Billion laughs" documents: a few hundred bytes that expand to tens of millions of nodes. Each level is
 * a list of two aliases of the level before, so 24 levels use 48 aliases (under snakeyaml's limit of 50)
 * and expand to 2^25 leaves.
 */
public final class BillionLaughs {
    public static final int LEVELS = 24;

    private BillionLaughs() {
    }

    /** A flow sequence {@code [&l0 [lol, lol], &l1 [*l0, *l0], ...]} to put after a key. */
    public static String yamlSequence() {
        StringBuilder yaml = new StringBuilder("[&l0 [lol, lol]");
        for (int i = 1; i <= LEVELS; i++) {
            yaml.append(", &l").append(i).append(" [*l").append(i - 1).append(", *l").append(i - 1).append(']');
        }
        return yaml.append(']').toString();
    }

    /** A JSON array of {@code count} empty arrays: the most values a message of a given size can carry. */
    public static String jsonArrayOf(int count) {
        StringBuilder json = new StringBuilder(count * 3 + 2).append('[');
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "[]" : ",[]");
        }
        return json.append(']').toString();
    }
}
