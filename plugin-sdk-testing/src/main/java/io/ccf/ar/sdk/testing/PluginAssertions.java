package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Subject;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Assertions on what a plugin returned, with messages that show what it returned instead.
 * They throw plain {@link AssertionError}s, so they work with any test framework.
 *
 * <p>Results carry subject ids in {@code Finding.SubjectId}, {@code Observation.SubjectId}
 * and {@code Risk.SubjectId}; these assertions look there.
 */
public final class PluginAssertions {
    private PluginAssertions() {
    }

    /**
     * The plugin assessed the subject successfully: status {@code SUCCESS}. (A call that
     * failed with an error never gets here: it throws {@link PluginCallException}.)
     *
     * @param result an {@code Execute} result
     * @throws AssertionError if the status is not {@code SUCCESS}, with the findings
     */
    public static void assertSucceeded(ExecuteResult result) {
        if (result == null) {
            throw new AssertionError("expected an Execute result with status SUCCESS, but the result is null");
        }
        if (result.getStatus() != ExecutionStatus.SUCCESS) {
            throw new AssertionError("expected status SUCCESS, but the plugin returned " + result.getStatus()
                    + " with " + describeFindings(result.getFindingsList()));
        }
    }

    /**
     * The plugin assessed the subject and found it wanting: status {@code FAILURE}.
     *
     * @param result an {@code Execute} result
     * @throws AssertionError if the status is not {@code FAILURE}
     */
    public static void assertFailed(ExecuteResult result) {
        if (result == null || result.getStatus() != ExecutionStatus.FAILURE) {
            throw new AssertionError("expected status FAILURE, but the plugin returned "
                    + (result == null ? "null" : result.getStatus() + " with "
                    + describeFindings(result.getFindingsList())));
        }
    }

    /**
     * The result holds a finding raised for subject {@code subjectId} ({@code Finding.SubjectId}).
     *
     * @param result an {@code Execute} result
     * @param subjectId the subject's id, e.g. {@code "vm-1"}
     * @return the first such finding, for further checks
     * @throws AssertionError if there is none, listing the findings there are
     */
    public static Finding assertFindingFor(ExecuteResult result, String subjectId) {
        if (result == null) {
            throw new AssertionError("expected a finding for subject '" + subjectId + "', but the result is null");
        }
        return result.getFindingsList().stream()
                .filter(f -> f.getSubjectId().equals(subjectId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("expected a finding for subject '" + subjectId
                        + "' (Finding.SubjectId), but the result has " + describeFindings(result.getFindingsList())));
    }

    /**
     * The result holds an observation about subject {@code subjectId} ({@code Observation.SubjectId}).
     *
     * @param result an {@code Execute} result
     * @param subjectId the subject's id
     * @return the first such observation, for further checks
     * @throws AssertionError if there is none, listing the observations there are
     */
    public static Observation assertObservationFor(ExecuteResult result, String subjectId) {
        if (result == null) {
            throw new AssertionError("expected an observation for subject '" + subjectId
                    + "', but the result is null");
        }
        return result.getObservationsList().stream()
                .filter(o -> o.getSubjectId().equals(subjectId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("expected an observation for subject '" + subjectId
                        + "' (Observation.SubjectId), but the result has " + describe("observation",
                        result.getObservationsList().stream()
                                .map(o -> "'" + o.getSubjectId() + "': " + o.getTitle()).collect(Collectors.toList()))));
    }

    /**
     * {@code Evaluate} returned exactly these subject ids, in this order.
     *
     * @param result an {@code Evaluate} result
     * @param subjectIds the expected ids
     * @throws AssertionError if the ids differ, showing both lists
     */
    public static void assertSubjectIds(EvaluateResult result, String... subjectIds) {
        List<String> expected = List.of(subjectIds);
        List<String> actual = result == null ? null
                : result.getSubjectsList().stream().map(Subject::getId).collect(Collectors.toList());
        if (!expected.equals(actual)) {
            throw new AssertionError("expected Evaluate to return subjects " + expected + ", but it returned "
                    + actual);
        }
    }

    private static String describeFindings(List<Finding> findings) {
        return describe("finding", findings.stream()
                .map(f -> "'" + f.getSubjectId() + "': " + f.getTitle()).collect(Collectors.toList()));
    }

    private static String describe(String what, List<String> items) {
        if (items.isEmpty()) {
            return "no " + what + "s";
        }
        return items.size() + " " + what + (items.size() == 1 ? "" : "s") + " (subject id: title) "
                + String.join(", ", items);
    }
}
