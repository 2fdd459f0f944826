package io.ccf.ar.runtime.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The counts of one fault scenario, written as one JSON object to {@code runtime/target/fault-report/<id>.json}.
 * {@code scripts/fault-table.py} turns the files of a run into the table of {@code docs/reliability.md}.
 *
 * <p>Use the same count names across scenarios where they mean the same thing: {@code firesExpected},
 * {@code firesRun}, {@code firesRunTwice}, {@code firesLost}, {@code resultsExpected}, {@code resultsStored},
 * {@code resultsDuplicated}, {@code resultsLost}, {@code deadLettered}, {@code processesLeft}. Any other
 * count a scenario needs is written as it is named.
 *
 * <pre>{@code
 * FaultReport.scenario("nats-outage-one-runtime", "NATS stopped 20 s, one runtime, every-second job")
 *         .count("firesExpected", 40).count("firesRun", 40).count("resultsLost", 0)
 *         .write(NatsOutageFaultTest.class);
 * }</pre>
 */
public final class FaultReport {
    private final String id;
    private final String description;
    private final Map<String, Object> counts = new LinkedHashMap<>();

    private FaultReport(String id, String description) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
    }

    /** A scenario named {@code id} (lower case, dashes: the file name and the table's key). */
    public static FaultReport scenario(String id, String description) {
        if (!id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("scenario id must be lower case with dashes: " + id);
        }
        return new FaultReport(id, description);
    }

    public FaultReport count(String name, long value) {
        counts.put(name, value);
        return this;
    }

    /** A figure that is not a count (a duration, a ratio), written as given. */
    public FaultReport note(String name, String value) {
        counts.put(name, value);
        return this;
    }

    /** Writes the report; {@code test} names the test class that reproduces it (the command in the table). */
    public Path write(Class<?> test) {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"scenario\": ").append(quote(id)).append(",\n");
        json.append("  \"description\": ").append(quote(description)).append(",\n");
        json.append("  \"command\": ").append(quote("mvn -B -pl runtime verify -Dtest=" + test.getSimpleName()
                + " -Dsurefire.failIfNoSpecifiedTests=false")).append(",\n");
        json.append("  \"when\": ").append(quote(Instant.now().toString())).append(",\n");
        json.append("  \"counts\": {");
        String sep = "\n";
        for (Map.Entry<String, Object> e : counts.entrySet()) {
            json.append(sep).append("    ").append(quote(e.getKey())).append(": ");
            json.append(e.getValue() instanceof Number ? e.getValue().toString() : quote(e.getValue().toString()));
            sep = ",\n";
        }
        json.append("\n  }\n}\n");
        try {
            Path dir = Files.createDirectories(Path.of("target", "fault-report"));
            return Files.writeString(dir.resolve(id + ".json"), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
