package io.ccf.ar.runtime.run;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * {@link ResultJson} as it was before {@link ProtoJson}: the protobuf parts printed by protobuf's JsonFormat. Kept,
 * unchanged, as the reference the new printer must match byte for byte ({@code ProtoJsonTest}).
 */
final class JsonFormatResultJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonFormat.Printer PROTO = JsonFormat.printer()
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private JsonFormatResultJson() {
    }

    static String toJson(AssessmentResult r) {
        StringWriter out = new StringWriter(512);
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
            g.writeRawValue(proto(r.subject()));
            array(g, "observations", r.observations());
            array(g, "findings", r.findings());
            array(g, "risks", r.risks());
            array(g, "logs", r.logs());
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

    private static void array(JsonGenerator g, String name, List<? extends MessageOrBuilder> items) throws IOException {
        g.writeArrayFieldStart(name);
        for (MessageOrBuilder item : items) {
            g.writeRawValue(proto(item));
        }
        g.writeEndArray();
    }

    private static String proto(MessageOrBuilder message) {
        try {
            return PROTO.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
