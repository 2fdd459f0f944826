package io.ccf.ar.runtime.config;

import java.util.List;

/**
 * A parsed document with positions, whichever way it arrived (a YAML file or a decoded JSON map).
 * Binding and validation work on this one shape so both inputs get the same checks and messages.
 */
sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Mapping, ConfigNode.Sequence, ConfigNode.Null {
    Position position();

    /** How the node is named in type errors: "expected a mapping, got a list". */
    String describe();

    /** A string, number or boolean, kept as written: numbers and booleans are not normalised. */
    record Scalar(String text, Position position) implements ConfigNode {
        @Override
        public String describe() {
            return "a plain value";
        }
    }

    /** Entries in document order, duplicates included, so the reader can report them. */
    record Mapping(List<Entry> entries, Position position) implements ConfigNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Entry(String key, Position keyPosition, ConfigNode value) {
    }

    record Sequence(List<ConfigNode> items, Position position) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** An explicit null ({@code key:}, {@code ~}, JSON null); treated like an absent value. */
    record Null(Position position) implements ConfigNode {
        @Override
        public String describe() {
            return "null";
        }
    }
}
