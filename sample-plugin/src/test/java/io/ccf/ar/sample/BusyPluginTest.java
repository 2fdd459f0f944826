package io.ccf.ar.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** BusyPlugin's provider logic, called directly (no process, no gRPC). */
class BusyPluginTest {
    final BusyPlugin plugin = new BusyPlugin();

    @Test
    void evaluateReturnsThreeBusyMachinesAndTheNamespace() {
        EvaluateResult r = plugin.evaluate(EvaluateInput.getDefaultInstance());
        assertEquals(3, r.getSubjectsCount());
        for (int i = 0; i < 3; i++) {
            Subject s = r.getSubjects(i);
            assertEquals("busy-vm-" + i, s.getId());
            assertEquals("Busy Virtual Machine " + i, s.getTitle());
            assertEquals(SubjectType.INVENTORY_ITEM, s.getType());
            assertEquals(java.util.Map.of("id", Integer.toString(i)), s.getPropsMap());
        }
        assertEquals(java.util.Map.of("namespace", "busy"), r.getPropsMap());
    }

    @Test
    void subjectsSwitchSetsHowManyMachinesEvaluateReturns() {
        EvaluateResult r = plugin.evaluate(EvaluateInput.newBuilder().putConfiguration("subjects", "100").build());
        assertEquals(100, r.getSubjectsCount());
        assertEquals("busy-vm-99", r.getSubjects(99).getId());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plugin.evaluate(EvaluateInput.newBuilder().putConfiguration("subjects", "many").build()));
    }

    @Test
    void executeObservesTheSubjectWithConfigurationAndEvaluateProps() throws Exception {
        Subject subject = plugin.evaluate(EvaluateInput.getDefaultInstance()).getSubjects(1);
        ExecuteResult r = plugin.execute(ExecuteInput.newBuilder()
                .setSubject(subject)
                .putProps("namespace", "busy")
                .putConfiguration("region", "eu")
                .putConfiguration("tier", "gold")
                .build());
        assertEquals(ExecutionStatus.SUCCESS, r.getStatus());
        assertEquals(1, r.getObservationsCount());
        Observation o = r.getObservations(0);
        UUID.fromString(o.getId());
        assertEquals("busy-vm-1", o.getSubjectId());
        assertFalse(o.getTitle().isEmpty());
        OffsetDateTime.parse(o.getCollected()); // RFC 3339
        List<String> props = o.getPropsList().stream()
                .map(p -> p.getName() + "=" + p.getValue()).collect(Collectors.toList());
        assertEquals(List.of("region=eu", "tier=gold", "namespace=busy"), props);
        assertTrue(r.getLogsCount() >= 1);
        assertFalse(r.getLogs(0).getTitle().isEmpty());
    }

    @Test
    void failTrueThrowsSoTheCallFailsWithInternal() {
        Exception e = assertThrows(IllegalStateException.class, () -> plugin.execute(ExecuteInput.newBuilder()
                .setSubject(Subject.newBuilder().setId("busy-vm-0")).putConfiguration("fail", "true").build()));
        assertTrue(e.getMessage().contains("busy-vm-0"), e.getMessage());
    }

    @Test
    void sleepMsDelaysExecute() throws Exception {
        long t0 = System.nanoTime();
        ExecuteResult r = plugin.execute(ExecuteInput.newBuilder()
                .setSubject(Subject.newBuilder().setId("busy-vm-2")).putConfiguration("sleep_ms", "120").build());
        assertTrue((System.nanoTime() - t0) / 1_000_000L >= 120);
        assertEquals(ExecutionStatus.SUCCESS, r.getStatus());
        assertTrue(r.getObservations(0).getPropsList()
                .contains(Property.newBuilder().setName("sleep_ms").setValue("120").build()));
    }

    @Test
    void badSleepMsIsInvalidArgument() {
        assertThrows(IllegalArgumentException.class, () -> plugin.execute(ExecuteInput.newBuilder()
                .putConfiguration("sleep_ms", "soon").build()));
        assertEquals(0, BusyPlugin.sleepMillis(null));
        assertEquals(5, BusyPlugin.sleepMillis(" 5 "));
    }
}
