package io.ccf.ar.runtime.config;

/** Where a value sits in its source, 1-based; {@link #UNKNOWN} for values that did not come from a file. */
record Position(int line, int column) {
    static final Position UNKNOWN = new Position(0, 0);

    boolean isKnown() {
        return line > 0;
    }
}
