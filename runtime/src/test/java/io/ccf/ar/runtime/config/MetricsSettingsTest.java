package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metrics.listen} and AR_METRICS_LISTEN as the loader reads them. */
class MetricsSettingsTest {
    @TempDir
    Path dir;

    private MetricsSettings load(Map<String, String> env, String yaml) {
        return new RuntimeConfigLoader(env, () -> "h").load(write(dir, "config.yml", yaml)).metrics();
    }

    private List<String> problems(Map<String, String> env, String yaml) {
        Path file = write(dir, "config.yml", yaml);
        return problemsOf(() -> new RuntimeConfigLoader(env, () -> "h").load(file)).stream()
                .map(p -> p.replace(file.toString(), "config.yml")).toList();
    }

    @Test
    void defaultsToLoopbackPort9464() {
        MetricsSettings m = load(Map.of(), "runtimeId: x\n");
        assertEquals(new MetricsSettings("127.0.0.1:9464", "127.0.0.1", 9464), m);
        assertEquals(MetricsSettings.DEFAULTS, load(Map.of(), "runtimeId: x\nmetrics: {}\n"));
    }

    @Test
    void readsHostPortForms() {
        assertEquals(new MetricsSettings("0.0.0.0:9100", "0.0.0.0", 9100), load(Map.of(), "metrics: {listen: \"0.0.0.0:9100\"}\n"));
        assertEquals(new MetricsSettings(":9100", "0.0.0.0", 9100), load(Map.of(), "metrics: {listen: \":9100\"}\n"));
        assertEquals(new MetricsSettings("[::1]:0", "::1", 0), load(Map.of(), "metrics: {listen: \"[::1]:0\"}\n"));
        assertEquals(new MetricsSettings("localhost:9464", "localhost", 9464), load(Map.of(), "metrics:\n  listen: localhost:9464\n"));
    }

    @Test
    void emptyTurnsItOff() {
        assertFalse(load(Map.of(), "metrics: {listen: \"\"}\n").enabled());
        assertFalse(load(Map.of("AR_METRICS_LISTEN", ""), "runtimeId: x\n").enabled());
    }

    @Test
    void environmentWins() {
        assertEquals(9999, load(Map.of("AR_METRICS_LISTEN", "127.0.0.1:9999"), "metrics: {listen: \":9100\"}\n").port());
    }

    @Test
    void badValuesAreReportedWithTheirPosition() {
        assertEquals(List.of("config.yml:2:11: metrics.listen: \"9464\" is not HOST:PORT (e.g. 127.0.0.1:9464,"
                + " 0.0.0.0:9464 or :9464 for every interface; empty turns metrics off)"),
                problems(Map.of(), "metrics:\n  listen: \"9464\"\n"));
        assertEquals(List.of("config.yml:1:19: metrics.listen: \"localhost:http\": the port \"http\" is not a number"),
                problems(Map.of(), "metrics: {listen: \"localhost:http\"}\n"));
        assertEquals(List.of("config.yml:1:19: metrics.listen: \"::1:9464\": write an IPv6 address in brackets, e.g."
                + " [::1]:9464"), problems(Map.of(), "metrics: {listen: \"::1:9464\"}\n"));
        assertEquals(List.of("config.yml:1:19: metrics.listen: \"h:70000\": the port must be 0 to 65535 (0: any free"
                + " port)"), problems(Map.of(), "metrics: {listen: \"h:70000\"}\n"));
        assertEquals(List.of("config.yml:1:11: metrics.lisen: unknown key \"lisen\" (did you mean \"listen\"?);"
                + " allowed keys: listen"), problems(Map.of(), "metrics: {lisen: \":1\"}\n"));
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        List<String> problems = problems(Map.of("AR_METRICS_LISTEN", "nope"), "runtimeId: x\n");
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(true, problems.get(0).contains("AR_METRICS_LISTEN") && problems.get(0).contains("\"nope\" is not HOST:PORT"),
                problems.get(0));
    }
}
