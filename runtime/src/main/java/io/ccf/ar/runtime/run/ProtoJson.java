package io.ccf.ar.runtime.run;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.ccf.ar.proto.Evidence;
import io.ccf.ar.proto.Finding;
import io.ccf.ar.proto.Link;
import io.ccf.ar.proto.LogEntry;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Risk;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;

/**
 * The protobuf parts of a result as JSON, byte for byte what protobuf's {@code JsonFormat.printer()
 * .preservingProtoFieldNames().omittingInsignificantWhitespace()} prints for them: fields in field-number order,
 * fields at their default value left out, map entries in the map's order, strings escaped as JsonFormat's Gson does.
 * It exists because JsonFormat walks every message by reflection (a sorted map of the set fields per message), which
 * was ~6% of the daemon's CPU during bursts of results. A field added to job.proto must be added here too:
 * {@code ProtoJsonTest} fills every field the descriptors have and compares with JsonFormat.
 * One instance per result (not thread-safe: one buffer).
 */
final class ProtoJson {
    /** Gson's escapes for characters below 128 (JsonWriter, HTML-safe as JsonFormat's Gson is); null: as is. */
    private static final String[] ASCII_ESCAPES = asciiEscapes();

    private final StringBuilder out = new StringBuilder(512);

    String subject(Subject s) {
        out.setLength(0);
        subjectObject(s);
        return out.toString();
    }

    String observations(List<Observation> items) {
        return array(items, this::observation);
    }

    String findings(List<Finding> items) {
        return array(items, this::finding);
    }

    String risks(List<Risk> items) {
        return array(items, this::risk);
    }

    String logs(List<LogEntry> items) {
        return array(items, this::logEntry);
    }

    private <T> String array(List<T> items, Consumer<T> printer) {
        out.setLength(0);
        elements(items, printer);
        return out.toString();
    }

    private void subjectObject(Subject s) {
        int start = open();
        string(start, "Id", s.getId());
        int type = s.getTypeValue();
        if (type != 0) {
            name(start, "Type");
            SubjectType known = SubjectType.forNumber(type);
            if (known == null) {
                out.append(type); // a value this build does not know: JsonFormat prints its number
            } else {
                out.append('"').append(known.name()).append('"');
            }
        }
        string(start, "Title", s.getTitle());
        string(start, "Description", s.getDescription());
        messages(start, "Links", s.getLinksList(), this::link);
        map(start, "Props", s.getPropsMap());
        string(start, "Remarks", s.getRemarks());
        out.append('}');
    }

    private void observation(Observation o) {
        int start = open();
        string(start, "Id", o.getId());
        string(start, "SubjectId", o.getSubjectId());
        string(start, "Collected", o.getCollected());
        string(start, "Title", o.getTitle());
        string(start, "Description", o.getDescription());
        string(start, "Expires", o.getExpires());
        string(start, "Remarks", o.getRemarks());
        messages(start, "Links", o.getLinksList(), this::link);
        messages(start, "Props", o.getPropsList(), this::property);
        messages(start, "RelevantEvidence", o.getRelevantEvidenceList(), this::evidence);
        out.append('}');
    }

    private void finding(Finding f) {
        int start = open();
        string(start, "Id", f.getId());
        string(start, "Title", f.getTitle());
        string(start, "Description", f.getDescription());
        string(start, "Remarks", f.getRemarks());
        messages(start, "Props", f.getPropsList(), this::property);
        messages(start, "Links", f.getLinksList(), this::link);
        string(start, "SubjectId", f.getSubjectId());
        messages(start, "RelatedObservations", f.getRelatedObservationsList(), this::quoted);
        messages(start, "RelatedRisks", f.getRelatedRisksList(), this::quoted);
        out.append('}');
    }

    private void risk(Risk r) {
        int start = open();
        string(start, "Title", r.getTitle());
        string(start, "SubjectId", r.getSubjectId());
        string(start, "Description", r.getDescription());
        string(start, "Statement", r.getStatement());
        messages(start, "Links", r.getLinksList(), this::link);
        messages(start, "Props", r.getPropsList(), this::property);
        out.append('}');
    }

    private void logEntry(LogEntry l) {
        int start = open();
        string(start, "Title", l.getTitle());
        string(start, "Description", l.getDescription());
        string(start, "Start", l.getStart());
        string(start, "End", l.getEnd());
        string(start, "Remarks", l.getRemarks());
        messages(start, "Props", l.getPropsList(), this::property);
        messages(start, "Links", l.getLinksList(), this::link);
        out.append('}');
    }

    private void evidence(Evidence e) {
        int start = open();
        string(start, "Title", e.getTitle());
        string(start, "Description", e.getDescription());
        messages(start, "Props", e.getPropsList(), this::property);
        messages(start, "Links", e.getLinksList(), this::link);
        string(start, "Remarks", e.getRemarks());
        out.append('}');
    }

    private void link(Link l) {
        int start = open();
        string(start, "Href", l.getHref());
        string(start, "MediaType", l.getMediaType());
        string(start, "Rel", l.getRel());
        string(start, "ResourceFragment", l.getResourceFragment());
        string(start, "Text", l.getText());
        out.append('}');
    }

    private void property(Property p) {
        int start = open();
        string(start, "Name", p.getName());
        string(start, "Value", p.getValue());
        out.append('}');
    }

    /** Opens an object; the returned position tells {@link #name} whether a field came before (then a comma). */
    private int open() {
        out.append('{');
        return out.length();
    }

    private void name(int objectStart, String name) {
        if (out.length() > objectStart) {
            out.append(',');
        }
        out.append('"').append(name).append("\":");
    }

    private void string(int objectStart, String name, String value) {
        if (!value.isEmpty()) {
            name(objectStart, name);
            quoted(value);
        }
    }

    private <T> void messages(int objectStart, String name, List<T> items, Consumer<T> printer) {
        if (!items.isEmpty()) {
            name(objectStart, name);
            elements(items, printer);
        }
    }

    private <T> void elements(List<T> items, Consumer<T> printer) {
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            printer.accept(items.get(i));
        }
        out.append(']');
    }

    private void map(int objectStart, String name, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        name(objectStart, name);
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quoted(e.getKey());
            out.append(':');
            quoted(e.getValue());
        }
        out.append('}');
    }

    /** A JSON string as Gson's JsonWriter writes it (what JsonFormat uses for string values and map keys). */
    private void quoted(String s) {
        out.append('"');
        int last = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            String escape;
            if (c < 128) {
                escape = ASCII_ESCAPES[c];
                if (escape == null) {
                    continue;
                }
            } else if (c == '\u2028') {
                escape = "\\u2028";
            } else if (c == '\u2029') {
                escape = "\\u2029";
            } else {
                continue; // other non-ASCII, surrogates included, as is
            }
            out.append(s, last, i).append(escape);
            last = i + 1;
        }
        out.append(s, last, s.length()).append('"');
    }

    private static String[] asciiEscapes() {
        String[] escapes = new String[128];
        for (int c = 0; c < 0x20; c++) {
            escapes[c] = String.format("\\u%04x", c);
        }
        escapes['"'] = "\\\"";
        escapes['\\'] = "\\\\";
        escapes['\t'] = "\\t";
        escapes['\b'] = "\\b";
        escapes['\n'] = "\\n";
        escapes['\r'] = "\\r";
        escapes['\f'] = "\\f";
        escapes['<'] = "\\u003c";
        escapes['>'] = "\\u003e";
        escapes['&'] = "\\u0026";
        escapes['='] = "\\u003d";
        escapes['\''] = "\\u0027";
        return escapes;
    }
}
