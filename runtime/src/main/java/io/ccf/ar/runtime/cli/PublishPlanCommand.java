package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.json.JsonMappers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.config.PlanSpec;
import io.nats.client.Connection;
import io.nats.client.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ar publish-plan FILE}: send a plan event to the runtimes, as the control plane would. */
@Command(name = "publish-plan", mixinStandardHelpOptions = true,
        description = {"Validate a plan file and publish it on runtime.configuration as a plan event",
                "({\"type\": \"activated\"|\"updated\"|\"deleted\", \"data\": <plan>}); prints the runtime's answer."})
final class PublishPlanCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = JsonMappers.COMPACT;

    @Mixin
    NatsOptions nats;

    @Parameters(paramLabel = "FILE", description = "Plan file (the same YAML as in assessmentsDir).")
    Path file;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "activated",
            description = "activated (default), updated or deleted.")
    String type;

    @Override
    public Integer call() throws Exception {
        if (!type.equals("activated") && !type.equals("updated") && !type.equals("deleted")) {
            throw new IllegalArgumentException("--type must be activated, updated or deleted, not \"" + type + "\"");
        }
        PlanSpec.fromFile(file); // the same validation the runtime applies: fail here, with file and line
        Object data = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(file, StandardCharsets.UTF_8));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("data", data);
        byte[] payload = JSON.writeValueAsBytes(event);
        try (Connection connection = nats.connect(System.getenv())) {
            Message reply;
            try {
                reply = connection.request("runtime.configuration", payload, Duration.ofSeconds(5));
            } catch (IllegalStateException noResponders) { // jnats: CancellationException "No Responders"
                reply = null;
            }
            if (reply == null) {
                System.err.println("no runtime answered on runtime.configuration within 5 s (is one running with eventBusURL set?)");
                return 1;
            }
            String answer = new String(reply.getData(), StandardCharsets.UTF_8);
            System.out.println(answer);
            return answer.contains("\"ok\":true") ? 0 : 1;
        }
    }
}
