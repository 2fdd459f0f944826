package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.json.JsonMappers;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.ccf.ar.runtime.fleet.FleetQuery;
import io.ccf.ar.runtime.fleet.FleetTable;
import io.ccf.ar.runtime.fleet.JobSetComparison;
import io.ccf.ar.runtime.fleet.RuntimeStatus;
import io.ccf.ar.runtime.schedule.GoDuration;
import io.nats.client.Connection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ar status}: the live runtimes, from their answers on runtime.status. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Ask every runtime on runtime.status and print a table of those that answer within --wait",
                "(id, version, uptime, jobs, plugins, runs in flight, spool depth, last error); a runtime whose jobs",
                "differ from the others' is marked DIFFERS. Exit 0 when at least one runtime answered and all hold the",
                "same jobs, 1 otherwise."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    NatsOptions nats;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "1s",
            description = "How long to gather answers (Go duration, default ${DEFAULT-VALUE}).")
    String waitText;

    @Option(names = "--json", description = "Print one JSON document: {\"runtimes\": [status...], \"jobSetsAgree\": bool}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Duration wait;
        try {
            wait = GoDuration.parse(waitText.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--wait: invalid duration \"" + waitText + "\": " + e.getMessage());
        }
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("--wait must be positive, got \"" + waitText + "\"");
        }
        FleetQuery.Replies replies;
        try (Connection connection = nats.connect(System.getenv())) {
            replies = new FleetQuery(connection).ask(wait);
        }
        replies.unreadable().forEach(reason -> System.err.println("an answer on runtime.status was not a status document: " + reason));
        JobSetComparison jobs = JobSetComparison.of(replies.runtimes());
        if (json) {
            System.out.println(toJson(replies, jobs));
        } else if (!replies.runtimes().isEmpty()) {
            System.out.print(FleetTable.render(replies.runtimes(), jobs));
        }
        if (replies.runtimes().isEmpty()) {
            System.err.println("no runtime answered on runtime.status within " + wait.toMillis()
                    + " ms (is one running with eventBusURL set? a slow link may need a longer --wait)");
            return 1;
        }
        return jobs.agree() ? 0 : 1;
    }

    private static String toJson(FleetQuery.Replies replies, JobSetComparison jobs) throws Exception {
        ObjectMapper mapper = JsonMappers.COMPACT;
        ObjectNode out = mapper.createObjectNode();
        ArrayNode runtimes = out.putArray("runtimes");
        for (RuntimeStatus r : replies.runtimes()) {
            ObjectNode node = mapper.valueToTree(r);
            node.put("jobsDiffer", jobs.differs(r.runtimeId()));
            jobs.describe(r.runtimeId()).ifPresent(d -> node.put("jobsDifference", d));
            runtimes.add(node);
        }
        out.put("jobSetsAgree", jobs.agree());
        return mapper.writeValueAsString(out);
    }
}
