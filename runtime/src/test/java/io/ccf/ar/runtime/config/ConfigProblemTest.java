package io.ccf.ar.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConfigProblemTest {
    @Test
    void printsFileLineColumnFieldAndMessage() {
        assertEquals("config.yml:12:5: plugins[0].schedule: invalid cron expression \"x\"",
                new ConfigProblem("config.yml", 12, 5, "plugins[0].schedule", "invalid cron expression \"x\"").toString());
    }

    @Test
    void omitsWhatIsUnknown() {
        ConfigProblem noPosition = new ConfigProblem("NATS runtime.configuration", 0, 0, "id", "is required");
        assertFalse(noPosition.hasPosition());
        assertEquals("NATS runtime.configuration: id: is required", noPosition.toString());
        assertEquals("config.yml:3:1: mapping values are not allowed here",
                new ConfigProblem("config.yml", 3, 1, "", "mapping values are not allowed here").toString());
    }

    @Test
    void exceptionListsOneProblemPerLine() {
        ConfigException e = new ConfigException(List.of(
                new ConfigProblem("a.yml", 1, 1, "id", "is required"),
                new ConfigProblem("a.yml", 2, 3, "tasks", "expected a list, got a mapping")));
        assertEquals("a.yml:1:1: id: is required\na.yml:2:3: tasks: expected a list, got a mapping", e.getMessage());
        assertEquals(2, e.problems().size());
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
