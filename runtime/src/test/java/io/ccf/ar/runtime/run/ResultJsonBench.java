package io.ccf.ar.runtime.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;

/**
 * Time per result of {@link ResultJson} (ProtoJson) against {@link JsonFormatResultJson} (protobuf's JsonFormat),
 * alternating old and new rounds in one JVM because the machine is noisy. The results are what the sample plugin
 * returns under NatsBench (one observation with the configuration and Evaluate's props, one log entry).
 * A main class in the test sources, not a test: it needs the old printer, which exists for the tests only.
 * Usage: {@code ResultJsonBench [rounds per side] [results per round]} (docs/benchmarks.md has the command).
 */
final class ResultJsonBench {
    private ResultJsonBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<AssessmentResult> results = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            results.add(sampleResult(i));
        }
        for (AssessmentResult r : results) {
            if (!JsonFormatResultJson.toJson(r).equals(ResultJson.toJson(r))) {
                throw new IllegalStateException("old and new differ for " + r);
            }
        }
        long bytes = ResultJson.toJson(results.get(0)).length();
        // Warm-up: both paths compiled before the first timed round.
        for (int i = 0; i < 3; i++) {
            round(JsonFormatResultJson::toJson, results, perRound);
            round(ResultJson::toJson, results, perRound);
        }
        double[] old = new double[rounds];
        double[] now = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            old[i] = round(JsonFormatResultJson::toJson, results, perRound);
            now[i] = round(ResultJson::toJson, results, perRound);
            System.out.printf("round %2d: JsonFormat %6.2f µs, ProtoJson %6.2f µs%n", i + 1, old[i], now[i]);
        }
        double oldMedian = median(old);
        double newMedian = median(now);
        System.out.printf("ResultJson.toJson per result (%d chars), median of %d alternating rounds of %d: "
                        + "JsonFormat %.2f µs, ProtoJson %.2f µs, old/new %.2f%n",
                bytes, rounds, perRound, oldMedian, newMedian, oldMedian / newMedian);
    }

    /** Microseconds per result; the output lengths are summed so the work cannot be dropped. */
    private static double round(Function<AssessmentResult, String> print, List<AssessmentResult> results, int count) {
        long chars = 0;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            chars += print.apply(results.get(i % results.size())).length();
        }
        long nanos = System.nanoTime() - start;
        if (chars == 0) {
            throw new IllegalStateException("nothing printed");
        }
        return nanos / 1000.0 / count;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** As BusyPlugin answers Execute for subject i with configuration {subjects: 100}, plus the runtime's fields. */
    private static AssessmentResult sampleResult(int i) {
        Instant started = Instant.parse("2026-12-02T17:00:00.123Z").plusMillis(i);
        String subjectId = "busy-vm-" + i;
        Subject subject = Subject.newBuilder().setId(subjectId).setTitle("Busy Virtual Machine " + i)
                .setType(SubjectType.INVENTORY_ITEM).putProps("id", Integer.toString(i)).build();
        Observation observation = Observation.newBuilder().setId(UUID.randomUUID().toString())
                .setSubjectId(subjectId).setTitle(subject.getTitle() + " is busy")
                .setDescription("The busy plugin looked at " + subjectId + ".").setCollected(started.toString())
                .addProps(Property.newBuilder().setName("subjects").setValue("100"))
                .addProps(Property.newBuilder().setName("namespace").setValue("busy")).build();
        LogEntry log = LogEntry.newBuilder().setTitle("Assessed " + subjectId).setDescription("One observation recorded.")
                .setStart(started.toString()).setEnd(started.plusMillis(1).toString()).build();
        String runId = UUID.randomUUID().toString();
        return new AssessmentResult(runId, "rt-1", "adhoc-" + runId, "plan-1", "ap-1", "comp", "ctl", "task-1", "act-1",
                "busy", "sample", "1.0.0", AssessmentResult.Status.SUCCESS, "", subject, List.of(observation), List.of(),
                List.of(), List.of(log), started, started.plusMillis(2), null, null,
                ResultIds.forRun(runId, "act-1", subjectId, 0));
    }
}
