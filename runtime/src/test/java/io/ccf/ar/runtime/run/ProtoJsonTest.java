package io.ccf.ar.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

import io.ccf.ar.proto.Evidence;
import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.Link;
import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Risk;
import io.ccf.ar.proto.Subject;

/**
 * {@link ResultJson} prints whole results byte for byte as it did with protobuf's JsonFormat
 * ({@link JsonFormatResultJson}). Messages are filled from their descriptors, so a field added to job.proto is
 * filled too and fails the comparison until {@link ProtoJson} prints it.
 */
class ProtoJsonTest {
    private static final long SEED = 20261202L;
    /** Characters JsonFormat's Gson escapes, or that a careless escaper might: quotes, HTML, line separators... */
    private static final String SPECIAL = "\"\\/<>&='\u007f\u0080\u00a0\u2028\u2029\ufeff\ufffd\ud7ff\ue000";
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void randomResultsPrintAsJsonFormatPrintedThem() throws InvalidProtocolBufferException {
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            double density = i % 10 == 0 ? 1.0 : random.nextDouble(); // every tenth result: every field set
            AssessmentResult built = result(random, density);
            assertEquals(JsonFormatResultJson.toJson(built), ResultJson.toJson(built), "result " + i + " (built)");
            // As the daemon gets them: parsed from a plugin's gRPC answer.
            AssessmentResult parsed = reparsed(built);
            assertEquals(JsonFormatResultJson.toJson(parsed), ResultJson.toJson(parsed), "result " + i + " (parsed)");
        }
    }

    @Test
    void everyFieldOfEveryPrintedMessageIsFilledAndPrinted() {
        Random random = new Random(SEED);
        for (Supplier<Message.Builder> type : List.<Supplier<Message.Builder>>of(Subject::newBuilder,
                Observation::newBuilder, Finding::newBuilder, Risk::newBuilder, LogEntry::newBuilder,
                Evidence::newBuilder, Link::newBuilder, Property::newBuilder)) {
            Message full = filledUntilComplete(type, random);
            assertEquals(names(full.getDescriptorForType().getFields()), names(full.getAllFields().keySet()),
                    full.getDescriptorForType().getName() + ": a field the test does not fill");
            AssessmentResult r = holding(full);
            assertEquals(JsonFormatResultJson.toJson(r), ResultJson.toJson(r), full.getDescriptorForType().getName());
        }
    }

    @Test
    void everyBmpCharacterIsEscapedAsJsonFormatEscapesIt() {
        for (int c = 0; c <= 0xFFFF; c += 64) {
            StringBuilder text = new StringBuilder();
            for (int d = c; d < c + 64; d++) {
                text.append('a').append((char) d); // one at a time between plain characters, lone surrogates too
            }
            Subject subject = Subject.newBuilder().setId(text.toString()).putProps(text.toString(), "v").build();
            AssessmentResult r = holding(subject);
            assertEquals(JsonFormatResultJson.toJson(r), ResultJson.toJson(r), "characters from U+" + Integer.toHexString(c));
        }
    }

    /** Fills a message of the type at density 1 until every field is set (an empty string leaves a field unset). */
    private static Message filledUntilComplete(Supplier<Message.Builder> type, Random random) {
        for (int attempt = 0; ; attempt++) {
            Message m = fill(type.get(), random, 1.0).build();
            if (m.getAllFields().size() == m.getDescriptorForType().getFields().size() || attempt == 100) {
                return m;
            }
        }
    }

    private static Set<String> names(java.util.Collection<FieldDescriptor> fields) {
        return fields.stream().map(FieldDescriptor::getName).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static AssessmentResult result(Random random, double density) {
        return new AssessmentResult("run-" + random.nextInt(1000), "rt-1", "plan/task", "plan", "ap-1", "comp", "ctl",
                "task", "act", "busy", "sample", "1.0.0",
                AssessmentResult.Status.values()[random.nextInt(3)], random.nextBoolean() ? "" : "boom <&> \u2028",
                random.nextInt(8) == 0 ? null : (Subject) fill(Subject.newBuilder(), random, density).build(),
                list(random, () -> (Observation) fill(Observation.newBuilder(), random, density).build()),
                list(random, () -> (Finding) fill(Finding.newBuilder(), random, density).build()),
                list(random, () -> (Risk) fill(Risk.newBuilder(), random, density).build()),
                list(random, () -> (LogEntry) fill(LogEntry.newBuilder(), random, density).build()),
                T0, T0.plusMillis(random.nextInt(5000)), random.nextBoolean() ? null : T0,
                random.nextBoolean() ? null : "plan/task@2026-12-02T10:00:00Z", "r" + random.nextInt());
    }

    /** A result with the message in its place (subject, or the one element of its list). */
    private static AssessmentResult holding(Message m) {
        return new AssessmentResult("run", "rt", "job", "plan", "ap", "comp", "ctl", "task", "act", "busy", "sample",
                "1.0.0", AssessmentResult.Status.SUCCESS, "",
                m instanceof Subject s ? s : null,
                m instanceof Observation o ? List.of(o) : List.of(),
                m instanceof Finding f ? List.of(f) : List.of(),
                m instanceof Risk k ? List.of(k) : List.of(),
                m instanceof LogEntry l ? List.of(l) : List.of(),
                T0, T0, null, null, "id");
    }

    private static AssessmentResult reparsed(AssessmentResult r) throws InvalidProtocolBufferException {
        return new AssessmentResult(r.runId(), r.runtimeId(), r.jobId(), r.planId(), r.assessmentId(), r.componentId(),
                r.controlId(), r.taskId(), r.activityId(), r.plugin(), r.packageName(), r.version(), r.status(),
                r.error(), Subject.parseFrom(r.subject().toByteString()),
                reparsed(r.observations(), Observation.parser()::parseFrom),
                reparsed(r.findings(), Finding.parser()::parseFrom), reparsed(r.risks(), Risk.parser()::parseFrom),
                reparsed(r.logs(), LogEntry.parser()::parseFrom), r.startedAt(), r.finishedAt(), r.scheduledAt(),
                r.fireId(), r.resultId());
    }

    private interface Parse<T> {
        T from(com.google.protobuf.ByteString bytes) throws InvalidProtocolBufferException;
    }

    private static <T extends Message> List<T> reparsed(List<T> items, Parse<T> parse)
            throws InvalidProtocolBufferException {
        List<T> out = new ArrayList<>();
        for (T item : items) {
            out.add(parse.from(item.toByteString()));
        }
        return out;
    }

    private static <T> List<T> list(Random random, Supplier<T> element) {
        List<T> items = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            items.add(element.get());
        }
        return items;
    }

    /** Sets each field of the builder's type with probability {@code density}, from the descriptor. */
    private static Message.Builder fill(Message.Builder b, Random random, double density) {
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            if (random.nextDouble() >= density) {
                continue;
            }
            if (f.isMapField()) {
                Descriptor entry = f.getMessageType();
                FieldDescriptor key = entry.findFieldByName("key");
                FieldDescriptor value = entry.findFieldByName("value");
                Set<Object> keys = new HashSet<>(); // a map has each key once
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    Object k = single(b, key, random, density);
                    if (keys.add(k)) {
                        b.addRepeatedField(f, b.newBuilderForField(f)
                                .setField(key, k).setField(value, single(b, value, random, density)).build());
                    }
                }
            } else if (f.isRepeated()) {
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    b.addRepeatedField(f, single(b, f, random, density));
                }
            } else {
                b.setField(f, single(b, f, random, density));
            }
        }
        return b;
    }

    private static Object single(Message.Builder parent, FieldDescriptor f, Random random, double density) {
        return switch (f.getJavaType()) {
            case STRING -> text(random);
            // 0 (the default, left out), known names, and numbers this build does not know
            case ENUM -> f.getEnumType().findValueByNumberCreatingIfUnknown(random.nextInt(f.getEnumType().getValues().size() + 2));
            case MESSAGE -> fill(parent.newBuilderForField(f), random, density).build();
            default -> throw new IllegalStateException(f.getFullName() + " is a " + f.getJavaType()
                    + " field: teach ProtoJson and this test to print and fill it");
        };
    }

    /** Empty sometimes; otherwise a mix of ASCII, control and special characters, any BMP character, pairs. */
    private static String text(Random random) {
        if (random.nextInt(5) == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (int n = 1 + random.nextInt(12); n > 0; n--) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) (0x20 + random.nextInt(0x5f)));
                case 1 -> s.append((char) random.nextInt(0x20));
                case 2 -> s.append(SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                case 3 -> s.append((char) (0x80 + random.nextInt(0xFF80)));
                case 4 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                default -> s.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
            }
        }
        return s.toString();
    }
}
