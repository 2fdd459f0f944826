package io.ccf.ar.runtime.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class FleetTableTest {
    @Test
    void oneRowPerRuntimeAndTheVerdict() {
        RuntimeStatus a = JobSetComparisonTest.runtime("rt-a", new RuntimeStatus.Job("plugin/busy", "@daily", "UTC"));
        RuntimeStatus b = new RuntimeStatus("rt-b", "1.0.0", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z", 172_805, "UTC",
                0, JobSet.of(List.of()).digest(), List.of(), false,
                List.of(new RuntimeStatus.Plugin("sample", "1.0.0", 42L, "READY", 2)), 3, 17,
                new RuntimeStatus.LastError("2026-01-02T00:00:00Z", "PluginManager", "plugin absent@1.0.0 not found\nin plugins/"));
        RuntimeStatus c = JobSetComparisonTest.runtime("rt-c", new RuntimeStatus.Job("plugin/busy", "@daily", "UTC"));
        List<RuntimeStatus> all = List.of(a, b, c);
        assertEquals("""
                RUNTIME  VERSION  UPTIME  JOBS       PLUGINS                        RUNS  SPOOL  LAST ERROR
                rt-a     1.0.0    1h2m    1          -                              0     0      -
                rt-b     1.0.0    2d0h    0 DIFFERS  sample@1.0.0 READY restarts=2  3     17     2026-01-02T00:00:00Z plugin absent@1.0.0 not found in plugins/
                rt-c     1.0.0    1h2m    1          -                              0     0      -
                3 runtime(s); job sets differ (the shared schedule needs every runtime to load the same schedules):
                  rt-b: missing plugin/busy
                """, FleetTable.render(all, JobSetComparison.of(all)));
    }

    @Test
    void uptime() {
        assertEquals("0s", FleetTable.uptime(0));
        assertEquals("1m5s", FleetTable.uptime(65));
        assertEquals("3h0m", FleetTable.uptime(10_800));
    }

    @Test
    void heartbeatSubjectsHoldOneToken() {
        assertEquals("runtime.heartbeat.rt-a_1", FleetSubjects.heartbeat("rt-a_1"));
        assertEquals("runtime.heartbeat.host_example_com", FleetSubjects.heartbeat("host.example.com"));
        assertEquals("runtime.heartbeat.a__b_", FleetSubjects.heartbeat("a *b>"));
    }
}
