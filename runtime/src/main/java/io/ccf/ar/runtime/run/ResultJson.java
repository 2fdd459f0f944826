package io.ccf.ar.runtime.run;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * A result as one JSON object, with the original runtime's field names (status, assessmentId, ...,
 * subjects, observations, findings, risks, logs) plus ours (runId, runtimeId, plugin, package,
 * version, startedAt, finishedAt, durationMs, jobId, planId, resultId, and scheduledAt and fireId for scheduled runs). Protobuf parts keep their proto field
 * names ({@code Id}, {@code Title}, ...), as Go's encoding/json printed them, and are printed by {@link ProtoJson}
 * exactly as protobuf's JsonFormat printed them before.
 */
public final class ResultJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ResultJson() {
    }

    public static String toJson(AssessmentResult r) {
        StringWriter out = new StringWriter(512);
        ProtoJson proto = new ProtoJson();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", r.status().name());
            g.writeStringField("assessmentId", r.assessmentId());
            g.writeStringField("componentId", r.componentId());
            g.writeStringField("controlId", r.controlId());
            g.writeStringField("taskId", r.taskId());
            g.writeStringField("activityId", r.activityId());
            g.writeStringField("error", r.error());
            g.writeFieldName("subjects");
            g.writeRawValue(proto.subject(r.subject()));
            g.writeFieldName("observations");
            g.writeRawValue(proto.observations(r.observations()));
            g.writeFieldName("findings");
            g.writeRawValue(proto.findings(r.findings()));
            g.writeFieldName("risks");
            g.writeRawValue(proto.risks(r.risks()));
            g.writeFieldName("logs");
            g.writeRawValue(proto.logs(r.logs()));
            g.writeStringField("runId", r.runId());
            g.writeStringField("runtimeId", r.runtimeId());
            g.writeStringField("jobId", r.jobId());
            g.writeStringField("planId", r.planId());
            g.writeStringField("plugin", r.plugin());
            g.writeStringField("package", r.packageName());
            g.writeStringField("version", r.version());
            g.writeStringField("startedAt", DateTimeFormatter.ISO_INSTANT.format(r.startedAt()));
            g.writeStringField("finishedAt", DateTimeFormatter.ISO_INSTANT.format(r.finishedAt()));
            g.writeNumberField("durationMs", r.durationMs());
            if (r.scheduledAt() != null) {
                g.writeStringField("scheduledAt", DateTimeFormatter.ISO_INSTANT.format(r.scheduledAt()));
            }
            if (r.fireId() != null) {
                g.writeStringField("fireId", r.fireId());
            }
            g.writeStringField("resultId", r.resultId());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
