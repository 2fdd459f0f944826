package io.ccf.ar.runtime.faults;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;

/**
 * What the results stream holds, read back message by message (the evidence a reader downstream gets), grouped by the
 * fire each result belongs to. The counts a fault test reports come from here, not from the runtime's own word.
 */
final class StoredResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One fire's results as stored. */
    record Fire(Instant fireTime, List<JsonNode> results) {
        Set<String> runIds() {
            Set<String> ids = new HashSet<>();
            results.forEach(r -> ids.add(r.path("runId").asText()));
            return ids;
        }

        Set<String> runtimes() {
            Set<String> ids = new HashSet<>();
            results.forEach(r -> ids.add(r.path("runtimeId").asText()));
            return ids;
        }

        long withStatus(String status) {
            return results.stream().filter(r -> r.path("status").asText().equals(status)).count();
        }

        /** Distinct subjects with a result that is not a CANCELLED placeholder. */
        long subjectsAssessed() {
            return results.stream().filter(r -> !r.path("status").asText().equals("CANCELLED"))
                    .map(r -> r.path("subjects").path("Id").asText()).distinct().count();
        }
    }

    private final List<JsonNode> all;
    private final Map<String, Integer> byResultId = new HashMap<>();

    private StoredResults(List<JsonNode> all) {
        this.all = all;
        all.forEach(r -> byResultId.merge(r.path("resultId").asText(), 1, Integer::sum));
    }

    /** Reads every message of {@code stream}. */
    static StoredResults read(Connection connection, String stream) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info = jsm.getStreamInfo(stream);
        long first = info.getStreamState().getFirstSequence();
        long last = info.getStreamState().getLastSequence();
        List<JsonNode> results = new ArrayList<>();
        for (long seq = first; seq <= last && seq > 0; seq++) {
            MessageInfo message;
            try {
                message = jsm.getMessage(stream, seq);
            } catch (JetStreamApiException e) {
                continue; // deleted
            }
            results.add(JSON.readTree(message.getData()));
        }
        return new StoredResults(results);
    }

    int size() {
        return all.size();
    }

    /** Stored messages that share a result id with an earlier one: copies that got past the duplicate window. */
    long duplicates() {
        return byResultId.values().stream().mapToLong(n -> n - 1).sum();
    }

    /** The fires of {@code jobId} scheduled in [from, to], by fire time. */
    TreeMap<Instant, Fire> fires(String jobId, Instant from, Instant to) {
        TreeMap<Instant, Fire> fires = new TreeMap<>();
        for (JsonNode r : all) {
            if (!r.path("jobId").asText().equals(jobId) || !r.has("scheduledAt")) {
                continue;
            }
            Instant at = Instant.parse(r.path("scheduledAt").asText());
            if (at.isBefore(from) || at.isAfter(to)) {
                continue;
            }
            fires.computeIfAbsent(at, t -> new Fire(t, new ArrayList<>())).results().add(r);
        }
        return fires;
    }
}
