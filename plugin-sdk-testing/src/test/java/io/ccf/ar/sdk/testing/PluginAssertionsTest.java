package io.ccf.ar.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Subject;
import org.junit.jupiter.api.Test;

/** The assertion helpers pass on what they promise and fail with messages that show what was there. */
class PluginAssertionsTest {
    static final Finding VM1 = Finding.newBuilder().setSubjectId("vm-1").setTitle("disk full").build();
    static final ExecuteResult FAILED = ExecuteResult.newBuilder().setStatus(ExecutionStatus.FAILURE)
            .addFindings(VM1).addObservations(Observation.newBuilder().setSubjectId("vm-1").setTitle("df"))
            .build();
    static final ExecuteResult SUCCEEDED = ExecuteResult.newBuilder().setStatus(ExecutionStatus.SUCCESS).build();

    @Test
    void assertSucceeded() {
        PluginAssertions.assertSucceeded(SUCCEEDED);
        AssertionError e = assertThrows(AssertionError.class, () -> PluginAssertions.assertSucceeded(FAILED));
        assertEquals("expected status SUCCESS, but the plugin returned FAILURE with 1 finding (subject id: title)"
                + " 'vm-1': disk full", e.getMessage());
        assertThrows(AssertionError.class, () -> PluginAssertions.assertSucceeded(null));
    }

    @Test
    void assertFailed() {
        PluginAssertions.assertFailed(FAILED);
        AssertionError e = assertThrows(AssertionError.class, () -> PluginAssertions.assertFailed(SUCCEEDED));
        assertEquals("expected status FAILURE, but the plugin returned SUCCESS with no findings", e.getMessage());
    }

    @Test
    void assertFindingFor() {
        assertSame(VM1, PluginAssertions.assertFindingFor(FAILED, "vm-1"));
        AssertionError e = assertThrows(AssertionError.class, () -> PluginAssertions.assertFindingFor(FAILED, "vm-2"));
        assertEquals("expected a finding for subject 'vm-2' (Finding.SubjectId), but the result has 1 finding"
                + " (subject id: title) 'vm-1': disk full", e.getMessage());
        e = assertThrows(AssertionError.class, () -> PluginAssertions.assertFindingFor(SUCCEEDED, "vm-1"));
        assertEquals("expected a finding for subject 'vm-1' (Finding.SubjectId), but the result has no findings",
                e.getMessage());
    }

    @Test
    void assertObservationFor() {
        assertEquals("df", PluginAssertions.assertObservationFor(FAILED, "vm-1").getTitle());
        AssertionError e = assertThrows(AssertionError.class,
                () -> PluginAssertions.assertObservationFor(FAILED, "vm-3"));
        assertEquals("expected an observation for subject 'vm-3' (Observation.SubjectId), but the result has"
                + " 1 observation (subject id: title) 'vm-1': df", e.getMessage());
    }

    @Test
    void assertSubjectIds() {
        EvaluateResult r = EvaluateResult.newBuilder().addSubjects(Subject.newBuilder().setId("a"))
                .addSubjects(Subject.newBuilder().setId("b")).build();
        PluginAssertions.assertSubjectIds(r, "a", "b");
        AssertionError e = assertThrows(AssertionError.class, () -> PluginAssertions.assertSubjectIds(r, "b", "a"));
        assertEquals("expected Evaluate to return subjects [b, a], but it returned [a, b]", e.getMessage());
    }
}
